#pragma once
// What every pixelmix-cli command shares: its entry in the command table, argument parsing with the
// project's conventions, output helpers, and a progress display for long runs.
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QString>
#include <QStringList>

namespace pixelmix::cli {

// A command's entry point; `arguments` are the words after the command name. Returns the exit
// code; problems are thrown (pixelmix::Error, std::exception) and reported by main.
using CommandFunction = int (*)(const QStringList& arguments);

struct Command {
    const char* name;
    const char* summary;  // one line, shown by `pixelmix-cli --help`
    CommandFunction run;
    // Draws text into images (charts): main then starts a QGuiApplication on the offscreen platform
    // instead of a QCoreApplication, since fonts need one.
    bool drawsText = false;
};

// Thrown by parseArguments when --help is given: main prints the text and exits with 0.
struct HelpRequested {
    QString text;
};

// Adds --help, parses `arguments` and checks the number of positional arguments. Throws
// pixelmix::Error for unknown options, missing option values and a wrong positional count.
void parseArguments(QCommandLineParser& parser, const QString& command, const QStringList& arguments,
                    int minPositional, int maxPositional);

// A number in min..max from an option; Error naming the option and the range otherwise.
int intOption(const QCommandLineParser& parser, const char* name, int min, int max);
double doubleOption(const QCommandLineParser& parser, const char* name, double min, double max);

// A line to stdout (results) or stderr (diagnostics).
void printOut(const QString& line);
void printErr(const QString& line);

// Progress of a long run on stderr. On a terminal: one line redrawn in place with a bar, percent,
// ETA and a free-text suffix (e.g. the current loss). Otherwise (logs, CI): a plain line at most
// every few seconds, so logs stay readable.
class Progress {
public:
    // label: what is being done, e.g. "epoch 3/10"; total: units of work (steps, pixels, images);
    // alreadyDone: units done before this bar started (a resumed epoch), left out of the ETA's rate.
    Progress(const QString& label, qint64 total, qint64 alreadyDone = 0);
    ~Progress();  // ends the terminal line if finish() was not called
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void update(qint64 done, const QString& suffix = QString());
    // The final line, with the elapsed time.
    void finish(const QString& suffix = QString());

private:
    void draw(qint64 done, const QString& suffix, bool final);

    const QString label;
    const qint64 total;
    const qint64 alreadyDone;
    const bool terminal;
    QElapsedTimer clock;
    qint64 lastDrawMs = 0;
    bool lineOpen = false;  // a terminal line is drawn and not yet ended
};

// "1:05:09" or "5:09".
QString formatDuration(qint64 seconds);

}  // namespace pixelmix::cli
