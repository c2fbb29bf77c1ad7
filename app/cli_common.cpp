#include "cli_common.h"

#include "error.h"

#include <QCoreApplication>

#include <cstdio>
#include <unistd.h>

namespace pixelmix::cli {

int intOption(const QCommandLineParser& parser, const char* name, int min, int max)
{
    bool ok = false;
    const QString text = parser.value(QLatin1String(name));
    const int value = text.toInt(&ok);
    if (!ok || value < min || value > max)
        throw Error(QStringLiteral("--%1: \"%2\" is not a whole number in %3..%4")
                        .arg(QLatin1String(name), text)
                        .arg(min)
                        .arg(max));
    return value;
}

double doubleOption(const QCommandLineParser& parser, const char* name, double min, double max)
{
    bool ok = false;
    const QString text = parser.value(QLatin1String(name));
    const double value = text.toDouble(&ok);
    if (!ok || !(value >= min && value <= max))
        throw Error(QStringLiteral("--%1: \"%2\" is not a number in %3..%4")
                        .arg(QLatin1String(name), text)
                        .arg(min)
                        .arg(max));
    return value;
}


namespace {

// On a terminal the line is redrawn often enough to look live; elsewhere every few seconds.
constexpr qint64 kTerminalRedrawMs = 100;
constexpr qint64 kLogLineMs = 5000;
constexpr int kBarWidth = 24;

void printTo(std::FILE* stream, const QString& text)
{
    std::fputs(text.toLocal8Bit().constData(), stream);
    std::fflush(stream);
}

}  // namespace

void parseArguments(QCommandLineParser& parser, const QString& command, const QStringList& arguments,
                    int minPositional, int maxPositional)
{
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")},
                                        QStringLiteral("Show this help."));
    parser.addOption(helpOption);
    // QCommandLineParser expects the program name first.
    if (!parser.parse(QStringList{QStringLiteral("pixelmix-cli")} + arguments))
        throw Error(parser.errorText());
    if (parser.isSet(helpOption)) {
        // Qt starts the usage line with the path the program was started by; show the command.
        QString text = parser.helpText();
        const QString qtUsage = QStringLiteral("Usage: ") + QCoreApplication::arguments().constFirst();
        const QString usage = QStringLiteral("Usage: pixelmix-cli ") + command;
        if (text.startsWith(qtUsage))
            text.replace(0, qtUsage.size(), usage);
        throw HelpRequested{text};
    }
    const qsizetype count = parser.positionalArguments().size();
    if (count < minPositional || count > maxPositional)
        throw Error(QStringLiteral("expected %1 argument(s), got %2 (see --help)")
                        .arg(minPositional == maxPositional
                                 ? QString::number(minPositional)
                                 : QStringLiteral("%1 to %2").arg(minPositional).arg(maxPositional))
                        .arg(count));
}

void printOut(const QString& line)
{
    printTo(stdout, line + QLatin1Char('\n'));
}

void printErr(const QString& line)
{
    printTo(stderr, line + QLatin1Char('\n'));
}

QString formatDuration(qint64 seconds)
{
    const qint64 hours = seconds / 3600;
    const QString minutesSeconds = QStringLiteral("%1:%2")
                                       .arg(hours > 0 ? (seconds / 60) % 60 : seconds / 60,
                                            hours > 0 ? 2 : 1, 10, QLatin1Char('0'))
                                       .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return hours > 0 ? QStringLiteral("%1:%2").arg(hours).arg(minutesSeconds) : minutesSeconds;
}

Progress::Progress(const QString& label, qint64 total, qint64 alreadyDone)
    : label(label),
      total(std::max<qint64>(total, 1)),
      alreadyDone(std::clamp<qint64>(alreadyDone, 0, this->total)),
      terminal(isatty(fileno(stderr)) == 1)
{
    clock.start();
}

Progress::~Progress()
{
    if (lineOpen)
        printTo(stderr, QStringLiteral("\n"));
}

void Progress::update(qint64 done, const QString& suffix)
{
    const qint64 now = clock.elapsed();
    if (now - lastDrawMs < (terminal ? kTerminalRedrawMs : kLogLineMs))
        return;
    lastDrawMs = now;
    draw(done, suffix, false);
}

void Progress::finish(const QString& suffix)
{
    draw(total, suffix, true);
}

void Progress::draw(qint64 done, const QString& suffix, bool final)
{
    done = std::clamp<qint64>(done, 0, total);
    const int percent = int(100 * done / total);
    const qint64 elapsedSeconds = clock.elapsed() / 1000;
    QString timing;
    if (final)
        timing = QStringLiteral("took %1").arg(formatDuration(elapsedSeconds));
    else if (done > alreadyDone)
        timing = QStringLiteral("ETA %1").arg(
            formatDuration(clock.elapsed() * (total - done) / (done - alreadyDone) / 1000));
    else
        timing = QStringLiteral("ETA --:--");
    const QString tail = suffix.isEmpty() ? QString() : QStringLiteral("  ") + suffix;

    if (terminal) {
        const int filled = int(kBarWidth * done / total);
        const QString bar = QString(filled, QLatin1Char('#')) + QString(kBarWidth - filled, QLatin1Char('-'));
        // \r returns to the line's start, \x1b[K clears what a longer previous line left behind.
        printTo(stderr, QStringLiteral("\r%1 [%2] %3%  %4%5\x1b[K%6")
                            .arg(label, bar)
                            .arg(percent, 3)
                            .arg(timing, tail, final ? QStringLiteral("\n") : QString()));
        lineOpen = !final;
    } else {
        printTo(stderr, QStringLiteral("%1: %2% (%3/%4), %5%6\n")
                            .arg(label)
                            .arg(percent)
                            .arg(done)
                            .arg(total)
                            .arg(timing, tail));
    }
}

}  // namespace pixelmix::cli
