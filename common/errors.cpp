#include "common/errors.hpp"

namespace sgprs {

namespace {
std::string compose(const std::string& source, const std::string& field, const std::string& message) {
  std::string text = source;
  if (!field.empty()) text += ": field '" + field + "'";
  text += ": " + message;
  return text;
}
}  // namespace

InputError::InputError(std::string source, std::string field, const std::string& message)
    : std::runtime_error(compose(source, field, message)), source_(std::move(source)), field_(std::move(field)) {}

}  // namespace sgprs
