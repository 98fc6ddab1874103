#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace brandmon::testing {

// Validates JSON documents against docs/alert.schema.json, implementing the
// subset of JSON Schema that file uses: $ref to "#/$defs/NAME", type, const,
// enum, required, properties, additionalProperties, items, minimum, maximum,
// minLength and format "date-time". Any other keyword in the schema is an
// error, so the schema cannot silently outgrow the check.
class SchemaCheck {
 public:
  // Loads the schema at `path`; aborts the test run when it is unreadable.
  explicit SchemaCheck(const std::string& path);
  ~SchemaCheck();

  // "" when `json` is valid against the root schema (def empty) or against
  // "#/$defs/<def>", else the first violation as "<json path>: <message>".
  std::string Check(std::string_view json, std::string_view def = "") const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The repository's alert schema.
const SchemaCheck& AlertSchema();

}  // namespace brandmon::testing
