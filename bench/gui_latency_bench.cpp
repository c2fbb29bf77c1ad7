// pixelmix-gui-bench: how long the studio takes to answer a slider drag, measured on the real
// MainWindow (offscreen unless QT_QPA_PLATFORM says otherwise) with a checkpoint (the argument, or
// the built-in model). For each move of the A/B mixer slider, milliseconds from the move until
//   first rows  the first streamed pixels of the new strip are drawn on the canvas,
//   finished    the worker's finished strip reaches the window (sampleFinished),
//   shown       the canvas shows it completely (paced as in the app, --pacing),
//   posterior   the posterior plot has the new strip's posterior.
// Each move waits until the previous one has its posterior. The first move after launch is
// reported on its own (cold), then every move, then the medians of the warm ones.
#include "class_mixer.h"
#include "main_window.h"
#include "posterior_chart.h"
#include "sample_canvas.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace pixelmix::ui;

namespace {

struct Drag {
    int percent = 0;
    double firstRows = -1, finished = -1, shown = -1, posterior = -1;  // ms after the move; -1: never
};

// Runs the event loop until `done` or the timeout; false on timeout.
bool waitUntil(const std::function<bool()>& done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(2);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done() || clock.elapsed() > timeoutMs)
            loop.quit();
    });
    poll.start();
    if (!done())
        loop.exec();
    return done();
}

double median(std::vector<double> values)
{
    values.erase(std::remove(values.begin(), values.end(), -1.0), values.end());
    if (values.empty())
        return -1;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

QString ms(double value) { return value < 0 ? QStringLiteral("never") : QStringLiteral("%1 ms").arg(value, 0, 'f', 0); }

void print(const QString& line)
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

QString describe(const Drag& d)
{
    return QStringLiteral("first rows %1, finished %2, shown %3, posterior %4")
        .arg(ms(d.firstRows), ms(d.finished), ms(d.shown), ms(d.posterior));
}

}  // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Slider-drag latency of the PixelMix window."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("checkpoint"), QStringLiteral("Checkpoint (default: the built-in model)."));
    const QCommandLineOption dragsOption(QStringLiteral("drags"), QStringLiteral("Slider moves (default 20)."),
                                         QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption rowsOption(QStringLiteral("rows"), QStringLiteral("Strip rows (default 1)."),
                                        QStringLiteral("R"), QStringLiteral("1"));
    const QCommandLineOption pacingOption(QStringLiteral("pacing"),
                                          QStringLiteral("Canvas pacing in ms per strip (default: the app's)."),
                                          QStringLiteral("MS"), QString::number(MainWindowOptions().pacingMs));
    parser.addOptions({dragsOption, rowsOption, pacingOption});
    parser.process(app);
    const int drags = std::max(1, parser.value(dragsOption).toInt());

    QTemporaryDir scratch;
    MainWindowOptions options;
    options.startupCheckpoint = parser.positionalArguments().value(0, options.startupCheckpoint);
    options.preferStartupCheckpoint = true;
    options.restoreSettings = false;
    options.settingsFile = QDir(scratch.path()).filePath(QStringLiteral("settings.ini"));
    options.runsDir = QDir(scratch.path()).filePath(QStringLiteral("runs"));
    options.pacingMs = parser.value(pacingOption).toInt();

    QElapsedTimer clock;
    clock.start();
    MainWindow window(options);
    window.resize(1280, 800);
    window.show();
    auto upToDate = [&] {
        return window.currentSampleId() > 0 && window.canvas()->isComplete() &&
               window.canvas()->currentId() == window.currentSampleId() &&
               window.posteriorChart()->shownId() == window.currentSampleId();
    };
    QString failure;
    QObject::connect(window.worker(), &Worker::error, &window, [&](const QString& message) { failure = message; });
    if (!waitUntil([&] { return upToDate() || !failure.isEmpty(); }, 120000) || !failure.isEmpty()) {
        print(QStringLiteral("error: no strip with its posterior after launch: %1").arg(failure.isEmpty() ? QStringLiteral("timed out") : failure));
        return 1;
    }
    print(QStringLiteral("model: %1").arg(options.startupCheckpoint));
    print(QStringLiteral("sampling threads: %1")  // as the worker chooses them
              .arg(qEnvironmentVariableIntValue("OMP_NUM_THREADS") > 0
                       ? QStringLiteral("OMP_NUM_THREADS=%1").arg(qEnvironmentVariableIntValue("OMP_NUM_THREADS"))
                       : QStringLiteral("1 (the worker's default)")));
    print(QStringLiteral("launch: first strip and posterior shown %1 after the window was created").arg(ms(double(clock.elapsed()))));
    window.rowsBox()->setValue(std::max(1, parser.value(rowsOption).toInt()));
    if (!waitUntil(upToDate, 120000)) {
        print(QStringLiteral("error: the strip of %1 rows never finished").arg(window.rowsBox()->value()));
        return 1;
    }
    print(QStringLiteral("strip: %1 images x %2 rows, pacing %3 ms, %4 drags")
              .arg(window.countBox()->value())
              .arg(window.rowsBox()->value())
              .arg(options.pacingMs)
              .arg(drags));

    Drag current;
    quint64 id = 0;
    QObject::connect(window.canvas(), &SampleCanvas::progressChanged, &window, [&](int revealed, int) {
        if (revealed > 0 && current.firstRows < 0 && window.canvas()->currentId() == id)
            current.firstRows = double(clock.nsecsElapsed()) / 1e6;
    });
    QObject::connect(window.worker(), &Worker::sampleFinished, &window, [&](quint64 finished) {
        if (finished == id)
            current.finished = double(clock.nsecsElapsed()) / 1e6;
    });
    QObject::connect(&window, &MainWindow::sampleShown, &window, [&](quint64 shown) {
        if (shown == id)
            current.shown = double(clock.nsecsElapsed()) / 1e6;
    });
    QObject::connect(window.posteriorChart(), &PosteriorChart::shown, &window, [&](quint64 shown) {
        if (shown == id)
            current.posterior = double(clock.nsecsElapsed()) / 1e6;
    });

    std::vector<Drag> results;
    QSlider* slider = window.mixer()->pairSlider();
    for (int i = 0; i < drags; ++i) {
        current = Drag();
        current.percent = (slider->value() + 37) % 101;  // a different mix every time
        clock.restart();
        slider->setValue(current.percent);
        id = window.currentSampleId();
        if (!waitUntil([&] { return current.posterior >= 0 && current.shown >= 0; }, 120000))
            print(QStringLiteral("drag %1 timed out").arg(i + 1));
        results.push_back(current);
        if (i == 0)
            print(QStringLiteral("cold (first drag after launch): %1").arg(describe(current)));
        else
            print(QStringLiteral("drag %1 (slider %2%): %3").arg(i + 1, 2).arg(current.percent, 3).arg(describe(current)));
    }
    std::vector<double> firstRows, finished, shown, posterior;
    for (size_t i = 1; i < results.size(); ++i) {
        firstRows.push_back(results[i].firstRows);
        finished.push_back(results[i].finished);
        shown.push_back(results[i].shown);
        posterior.push_back(results[i].posterior);
    }
    Drag medians;
    medians.firstRows = median(firstRows);
    medians.finished = median(finished);
    medians.shown = median(shown);
    medians.posterior = median(posterior);
    print(QStringLiteral("median of %1 warm drags: %2").arg(results.size() - 1).arg(describe(medians)));
    return 0;
}
