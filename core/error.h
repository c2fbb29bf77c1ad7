#pragma once
// The one exception type core throws for bad input: its message names the file (or field) and the
// problem, ready to show to a person.
#include <QString>
#include <stdexcept>

namespace pixelmix {

struct Error : std::runtime_error {
    explicit Error(const QString& message) : std::runtime_error(message.toStdString()) {}
    QString message() const { return QString::fromStdString(what()); }
};

}  // namespace pixelmix
