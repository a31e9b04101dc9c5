# Sourced by the GPU-machine scripts (tools/profile_gpu.sh, tools/gpu_*_session.sh, tools/live_gpu_*.sh): finds what
# a CUDA build of sgprs needs on a machine set up for PyTorch rather than for sgprs. Expects
# $root (the repository) and a log() function; sets:
#   prefix_path   CMAKE_PREFIX_PATH for dependencies carried in .sgdeps/deps.tar.xz ("" if none)
#   cudnn_args    -DSGPRS_CUDNN_* flags when cuDNN is outside the toolkit (the pip wheel)
#   generator     (-G Ninja) when ninja exists
# and extends LD_LIBRARY_PATH to match.

# Dependencies missing on the machine (nlohmann-json, CLI11, fmt, Boost headers, GoogleTest) are
# taken from .sgdeps/deps.tar.xz when present (see traces/profiles/README.md for how it is made).
prefix_path=""
if [[ -f "$root/.sgdeps/deps.tar.xz" && ! -f /usr/include/nlohmann/json.hpp ]]; then
  # Unpacked once per machine: later scripts of the same call reuse it.
  [[ -f /tmp/sgdeps/usr/include/nlohmann/json.hpp ]] || { mkdir -p /tmp/sgdeps && tar -xJf "$root/.sgdeps/deps.tar.xz" -C /tmp/sgdeps; }
  prefix_path="/tmp/sgdeps/usr"
  export LD_LIBRARY_PATH="/tmp/sgdeps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
  log "using carried dependencies in /tmp/sgdeps"
fi

# cuDNN: the toolkit's folder, the system, or the pip wheel next to PyTorch (first when
# SGPRS_CUDNN=wheel: the same cuDNN as PyTorch's, to compare kernels rather than library versions).
cudnn_args=()
cudnn_h=""
cudnn_so=""
if [[ "${SGPRS_CUDNN:-}" != wheel ]]; then
  cudnn_h="$(ls /usr/local/cuda/include/cudnn.h /usr/include/cudnn.h /usr/include/x86_64-linux-gnu/cudnn.h 2>/dev/null | head -1)"
  cudnn_so="$(ls /usr/local/cuda/lib64/libcudnn.so /usr/local/cuda/lib/libcudnn.so /usr/lib/x86_64-linux-gnu/libcudnn.so 2>/dev/null | head -1)"
fi
if [[ -z "$cudnn_h" || -z "$cudnn_so" ]]; then
  wheel="$(python3 -c 'import nvidia.cudnn, os; print(os.path.dirname(nvidia.cudnn.__file__))' 2>/dev/null || true)"
  [[ -z "$wheel" ]] && wheel="$(dirname "$(find / -path /proc -prune -o -name cudnn.h -print 2>/dev/null | grep nvidia/cudnn | head -1)")/.."
  cudnn_h="$(ls "$wheel"/include/cudnn.h 2>/dev/null | head -1)"
  cudnn_so="$(ls "$wheel"/lib/libcudnn.so.9 "$wheel"/lib/libcudnn.so 2>/dev/null | head -1)"
  export LD_LIBRARY_PATH="$wheel/lib:${LD_LIBRARY_PATH:-}"
fi
[[ -n "$cudnn_h" && -n "$cudnn_so" ]] && cudnn_args=(-DSGPRS_CUDNN_INCLUDE="$(dirname "$cudnn_h")" -DSGPRS_CUDNN_LIBRARY="$cudnn_so")
log "cuDNN: ${cudnn_h:-not found} ${cudnn_so:-}"

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

# configure_sgprs BUILD_DIR [BENCH=ON|OFF] [more cmake flags...]: the one configure line of every GPU
# script (Release, CUDA for sm_90, the dependencies and cuDNN found above), of $root or, given as
# configure_source=DIR before the call, of another source folder. Output goes where the caller sends it.
configure_sgprs() {
  local dir="$1" bench="${2:-OFF}"
  shift; (($#)) && shift
  cmake -S "${configure_source:-$root}" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DSGPRS_CUDA=ON -DSGPRS_BUILD_BENCH="$bench" \
    -DCMAKE_CUDA_ARCHITECTURES=90 -DCMAKE_PREFIX_PATH="$prefix_path" "${cudnn_args[@]}" "$@"
}
