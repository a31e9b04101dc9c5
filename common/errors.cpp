#include "common/errors.hpp"

#include <cstdio>
#include <filesystem>

namespace sgprs {

namespace {
std::string compose(const std::string& source, const std::string& field, const std::string& message) {
  std::string text = source;
  if (!field.empty()) text += ": field '" + field + "'";
  text += ": " + message;
  return escape_control(text);
}
}  // namespace

InputError::InputError(std::string source, std::string field, const std::string& message)
    : std::runtime_error(compose(source, field, message)), source_(std::move(source)), field_(std::move(field)) {}

std::string escape_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(byte));
      out += hex;
    }
  }
  return out;
}

std::string unknown_name(std::string_view what, std::string_view name, const std::vector<std::string>& known) {
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  return "unknown " + std::string(what) + " '" + std::string(name) + "' (known: " + list + ")";
}

ErrorReport describe_exception(std::exception_ptr error, std::string_view program) {
  const std::string prefix(program);
  auto report = [&prefix](int status, const std::string& kind, const std::string& what) {
    return ErrorReport{status, escape_control(prefix + ": " + kind + what)};
  };
  try {
    std::rethrow_exception(error);
  } catch (const InputError& e) {
    return report(kExitInputError, "error: ", e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the user gave cannot be used (unwritable, too long, a folder where a file belongs).
    std::string where = e.path1().string();
    return report(kExitInputError, "error: ", (where.empty() ? "" : where + ": ") + e.code().message());
  } catch (const NoGpuError& e) {
    return report(kExitNoGpu, "no GPU: ", e.what());
  } catch (const NotAvailableError& e) {
    return report(kExitNotAvailable, "", e.what());
  } catch (const GpuError& e) {
    return report(kExitGpuFault, "GPU error: ", e.what());
  } catch (const std::exception& e) {
    return report(kExitInternalError, "internal error: ", e.what());
  } catch (...) {
    return report(kExitInternalError, "internal error: ", "an exception of unknown type");
  }
}

}  // namespace sgprs
