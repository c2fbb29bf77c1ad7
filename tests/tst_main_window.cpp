// The whole window, driven through its real widgets with a small model loaded from a checkpoint:
// slider moves become requests with the right weights, only the newest request is drawn, the canvas
// fills before the result arrives, 200 rapid moves end on the right picture, "Save image" writes
// make_grid-sized PNGs, training from the panel plots points and writes last.pt, closing
// mid-training is quick and saves, and a missing model is reported in words.
#include "tst_gui_common.h"

#include "class_mixer.h"
#include "loss_plot.h"
#include "main_window.h"
#include "progress_animation.h"
#include "sample_canvas.h"
#include "training_panel.h"

#include <QAction>
#include <QClipboard>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QImageReader>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <memory>

using namespace pixelmix::ui;
Q_DECLARE_METATYPE(MainWindow::View)

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void sliderSendsTheRightWeights_data();
    void sliderSendsTheRightWeights();
    void staleResultsAreNeverDrawn();
    void canvasFillsBeforeTheResult();
    void rapidSliderMovesEndOnTheFinalWeights();
    void saveImageWritesMakeGridSizes_data();
    void saveImageWritesMakeGridSizes();
    void trainFromThePanelThenStop();
    void closingMidTrainingIsQuickAndSaves();
    void missingModelIsReportedInWords();
    void settingsAreRemembered();
    void keyboardShortcuts();
    void trainingThatCannotStartSaysWhy();

private:
    std::unique_ptr<MainWindow> makeWindow(int pacingMs = 0, const QString& settings = {});
    bool waitShown(MainWindow& window, int timeoutMs = 20000);

    QTemporaryDir scratch_;
    QString checkpoint_;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(scratch_.isValid());
    checkpoint_ = testing::writeCheckpoint(scratch_.path());
}

std::unique_ptr<MainWindow> TestMainWindow::makeWindow(int pacingMs, const QString& settings)
{
    auto options = testing::windowOptions(scratch_.path(), checkpoint_);
    if (!settings.isEmpty()) {
        options.settingsFile = settings;
        options.restoreSettings = true;
    }
    options.pacingMs = pacingMs;
    return testing::openWindow(options);
}

// Waits until the newest request is complete on screen.
bool TestMainWindow::waitShown(MainWindow& window, int timeoutMs)
{
    return QTest::qWaitFor([&] {
        return window.hasModel() && window.currentSampleId() > 0 && window.canvas()->isComplete() &&
               window.canvas()->currentId() == window.currentSampleId() &&
               (window.view() != MainWindow::View::Strip || window.focusCanvas()->isComplete());
    }, timeoutMs);
}

void TestMainWindow::sliderSendsTheRightWeights_data()
{
    QTest::addColumn<MainWindow::View>("view");
    QTest::addColumn<int>("a");
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("slider");
    QTest::addColumn<int>("count");
    QTest::newRow("strip 4→9 at 30%") << MainWindow::View::Strip << 4 << 9 << 30 << 11;
    QTest::newRow("strip 1→7 at 100%") << MainWindow::View::Strip << 1 << 7 << 100 << 5;
    QTest::newRow("same weights 3/8 at 50%") << MainWindow::View::SameWeights << 3 << 8 << 50 << 6;
    QTest::newRow("same weights 0/2 at 0%") << MainWindow::View::SameWeights << 0 << 2 << 0 << 11;
}

void TestMainWindow::sliderSendsTheRightWeights()
{
    QFETCH(MainWindow::View, view);
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, slider);
    QFETCH(int, count);
    auto window = makeWindow();
    QVERIFY(waitShown(*window));
    window->setView(view);
    window->countBox()->setValue(count);
    window->mixer()->pickerA()->setCurrentIndex(a);
    window->mixer()->pickerB()->setCurrentIndex(b);
    const quint64 seed = quint64(window->seedBox()->value());
    QSignalSpy requests(window.get(), &MainWindow::sampleRequested);
    window->mixer()->pairSlider()->setValue(slider == window->mixer()->pairSlider()->value() ? slider + 1 : slider);
    window->mixer()->pairSlider()->setValue(slider);
    QVERIFY(!requests.isEmpty());
    const quint64 id = requests.last().at(0).value<quint64>();
    const auto job = requests.last().at(1).value<SampleJob>();
    QCOMPARE(window->worker()->latestSampleId(), id);  // it went to the worker at once
    QCOMPARE(job.seed, seed);                           // the seed does not move with the slider
    const double t = slider / 100.0;
    auto expectPair = [&](const QVector<double>& w, double towardB) {
        QCOMPARE(w.size(), 10);
        for (int k = 0; k < 10; ++k) {
            const double expected = (k == a ? 1.0 - towardB : 0.0) + (k == b ? towardB : 0.0);
            QVERIFY2(std::abs(w[k] - expected) < 1e-12, qPrintable(QStringLiteral("class %1: %2 vs %3").arg(k).arg(w[k]).arg(expected)));
        }
    };
    if (view == MainWindow::View::Strip) {
        QVERIFY(job.sharedNoise);
        QCOMPARE(job.weights.size(), count + 1);  // the strip, then the focus image
        for (int k = 0; k < count; ++k)
            expectPair(job.weights[k], count > 1 ? double(k) / (count - 1) : 0.0);
        expectPair(job.weights.last(), t);
    } else {
        QVERIFY(!job.sharedNoise);
        QCOMPARE(job.weights.size(), count);
        for (const auto& w : job.weights)
            expectPair(w, t);
    }
    // The canvas follows that request and draws its result.
    QCOMPARE(window->canvas()->currentId(), id);
    QVERIFY(waitShown(*window));
    QCOMPARE(window->currentSampleId(), id);
    QCOMPARE(window->canvas()->shownCount(), count);
}

void TestMainWindow::staleResultsAreNeverDrawn()
{
    auto window = makeWindow();
    QVERIFY(waitShown(*window));
    const quint64 oldId = window->currentSampleId();
    window->mixer()->pairSlider()->setValue(window->mixer()->pairSlider()->value() + 7);
    const quint64 newId = window->currentSampleId();
    QVERIFY(newId > oldId);
    QVERIFY(waitShown(*window));
    const QByteArray shown = window->canvas()->levels().data;
    // Results of the older request arriving late (as they can from the worker's queue): dropped.
    const int dropped = window->staleDropped();
    LevelsBlock bright;
    bright.count = window->lastSampleJob().weights.size();
    bright.height = bright.width = 28;
    bright.levels = 4;
    bright.data = QByteArray(bright.count * 784, char(3));
    Q_EMIT window->worker()->sampleProgress(oldId, 27, 27, bright);
    Q_EMIT window->worker()->sampleFinished(oldId, bright, {});
    QCOMPARE(window->staleDropped(), dropped + 2);
    QCOMPARE(window->canvas()->levels().data, shown);
    QCOMPARE(window->canvas()->currentId(), newId);
    // The newest request's own stream is drawn.
    QCOMPARE(window->canvas()->levels().data,
             testing::directSample(checkpoint_, window->lastSampleJob()).left(shown.size()));
}

void TestMainWindow::canvasFillsBeforeTheResult()
{
    auto window = makeWindow(600);
    QVERIFY(waitShown(*window, 30000));
    QStringList events;
    QVector<int> revealed;
    const quint64 expected = window->currentSampleId() + 1;
    connect(window->worker(), &Worker::sampleProgress, this, [&](quint64 id) {
        if (id == expected)
            events << QStringLiteral("pixels");
    });
    connect(window->worker(), &Worker::sampleFinished, this, [&](quint64 id) {
        if (id == expected)
            events << QStringLiteral("finished");
    });
    connect(window->canvas(), &SampleCanvas::progressChanged, this, [&](int r, int) { revealed << r; });
    QSignalSpy shown(window.get(), &MainWindow::sampleShown);
    QElapsedTimer clock;
    clock.start();
    window->mixer()->pairSlider()->setValue(window->mixer()->pairSlider()->value() + 3);
    QCOMPARE(window->currentSampleId(), expected);
    // The first rows are on the canvas quickly...
    QVERIFY(QTest::qWaitFor([&] { return window->canvas()->revealedPixels() >= 28; }, 2000));
    const qint64 firstRow = clock.elapsed();
    qInfo("first row on the canvas %lld ms after the slider moved", firstRow);
    QVERIFY(shown.wait(5000));
    QCOMPARE(shown.last().at(0).value<quint64>(), expected);
    // ... the worker streamed pixels before its result, and the canvas filled in many steps.
    QVERIFY(events.size() >= 2);
    QCOMPARE(events.first(), QStringLiteral("pixels"));
    QCOMPARE(events.last(), QStringLiteral("finished"));
    int partial = 0;
    for (int r : revealed)
        if (r > 0 && r < 784)
            ++partial;
    QVERIFY2(partial >= 10, qPrintable(QString::number(partial)));
    QVERIFY2(firstRow < 300, qPrintable(QStringLiteral("first row after %1 ms").arg(firstRow)));
    QCOMPARE(window->findChild<QProgressBar*>(QStringLiteral("sampleProgress"))->value(), 784);
}

void TestMainWindow::rapidSliderMovesEndOnTheFinalWeights()
{
    auto window = makeWindow();
    QVERIFY(waitShown(*window));
    QSlider* slider = window->mixer()->pairSlider();
    for (int i = 0; i < 200; ++i) {
        slider->setValue((i * 37) % 101);
        if (i % 10 == 0)
            QCoreApplication::processEvents();  // let some stale results arrive on the way
    }
    QTest::keyClick(slider, Qt::Key_Left);
    const int final = slider->value();
    QVERIFY(waitShown(*window));
    const SampleJob job = window->lastSampleJob();
    QCOMPARE(job.weights.last()[window->mixer()->classB()], final / 100.0);
    QCOMPARE(window->canvas()->currentId(), window->currentSampleId());
    const QByteArray direct = testing::directSample(checkpoint_, job);
    QCOMPARE(window->canvas()->levels().data, direct.left(window->countBox()->value() * 784));
    QCOMPARE(window->focusCanvas()->levels().data, direct.right(784));
}

void TestMainWindow::saveImageWritesMakeGridSizes_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<QSize>("size");
    QTest::newRow("strip of 11") << 11 << QSize(11 * 30 + 2, 32);
    QTest::newRow("strip of 5") << 5 << QSize(5 * 30 + 2, 32);
    QTest::newRow("20 in two rows") << 20 << QSize(16 * 30 + 2, 62);
}

void TestMainWindow::saveImageWritesMakeGridSizes()
{
    QFETCH(int, count);
    QFETCH(QSize, size);
    auto window = makeWindow();
    QVERIFY(waitShown(*window));
    window->countBox()->setValue(count);
    QVERIFY(waitShown(*window));
    QTemporaryDir out;
    const QString path = out.filePath(QStringLiteral("strip.png"));
    QString error;
    QVERIFY2(window->saveImage(path, &error), qPrintable(error));
    QImageReader reader(path);
    QCOMPARE(reader.format(), QByteArray("png"));
    QCOMPARE(reader.size(), size);
    QCOMPARE(QImageReader(out.filePath(QStringLiteral("strip@4x.png"))).size(), size * 4);
    window->copyImage();
    QCOMPARE(QGuiApplication::clipboard()->image().size(), size * 4);
    // The tiles are the samples, 1:1.
    const QImage image(path);
    const QByteArray levels = window->canvas()->levels().data;
    for (int p : {0, 200, 406, 783}) {
        const int level = levels.at(p);
        QCOMPARE(qGray(image.pixel(2 + p % 28, 2 + p / 28)), (255 * level + 1) / 3);
    }
}

void TestMainWindow::trainFromThePanelThenStop()
{
    auto window = makeWindow();
    QVERIFY(waitShown(*window));
    TrainingPanel* panel = window->trainingPanel();
    window->tabs()->setCurrentWidget(panel);
    auto job = testing::tinyTrainJob(scratch_.path(), QString());
    panel->setDataset(job.dataset);
    panel->setConfigs(job.model, job.train);
    panel->findChild<QSpinBox*>(QStringLiteral("trainImages"))->setValue(job.trainImages);
    QSignalSpy epochs(window->worker(), &Worker::epochFinished);
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QVERIFY(QTest::qWaitFor([&] { return epochs.count() >= 1 && panel->lossPlot()->stepPointCount() >= 8; }, 60000));
    QCOMPARE(window->worker()->trainingState(), Worker::TrainingState::Running);
    QVERIFY(!panel->startButton()->isEnabled());
    QVERIFY(panel->pauseButton()->isEnabled());
    QVERIFY(QTest::qWaitFor([&] { return panel->lossPlot()->epochPointCount() >= 1; }, 5000));
    QVERIFY(!panel->currentGrid().isNull());  // the live 5-per-class grid
    QCOMPARE(panel->currentGrid().size(), QSize(302, 152));
    QVERIFY(panel->progressBar()->value() > 0);
    QVERIFY(panel->rateLabel()->text().contains(QStringLiteral("images/s")));
    QVERIFY(panel->rateLabel()->text().contains(QStringLiteral("ETA")));
    // PIXELMIX_SCREENSHOTS=<folder>: pictures of the window for the docs.
    const QString shots = qEnvironmentVariable("PIXELMIX_SCREENSHOTS");
    if (!shots.isEmpty()) {
        QDir().mkpath(shots);
        window->grab().save(QDir(shots).filePath(QStringLiteral("train-tab.png")));
        window->tabs()->setCurrentIndex(0);
        window->mixer()->tabs()->setCurrentIndex(1);
        QTest::qWait(500);
        window->grab().save(QDir(shots).filePath(QStringLiteral("sample-tab.png")));
        window->mixer()->tabs()->setCurrentIndex(0);
        window->tabs()->setCurrentWidget(panel);
    }
    panel->lossPlot()->logScaleBox()->setChecked(true);
    QVERIFY(panel->lossPlot()->logScale());

    // Sampling while training answers, and training goes on.
    QSignalSpy shown(window.get(), &MainWindow::sampleShown);
    window->mixer()->pairSlider()->setValue(window->mixer()->pairSlider()->value() + 11);
    QVERIFY(shown.wait(20000));
    QCOMPARE(window->worker()->trainingState(), Worker::TrainingState::Running);

    // "Save image" on the Train tab writes the epoch grid.
    QTemporaryDir out;
    QVERIFY(window->saveImage(out.filePath(QStringLiteral("grid.png"))));
    QCOMPARE(QImage(out.filePath(QStringLiteral("grid.png"))).size(), QSize(302, 152));

    QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
    // The window hears of it through queued signals: wait for what it shows, not the worker's state.
    QVERIFY(QTest::qWaitFor([&] { return panel->startButton()->isEnabled(); }, 20000));
    QCOMPARE(window->worker()->trainingState(), Worker::TrainingState::Idle);
    QVERIFY(QTest::qWaitFor([&] { return window->modelPath().endsWith(QLatin1String("last.pt")); }, 5000));
    QVERIFY(QFileInfo::exists(window->modelPath()));
    QVERIFY(QDir(scratch_.path()).relativeFilePath(window->modelPath()).startsWith(QLatin1String("runs/")));
    QVERIFY(window->recentCheckpoints().contains(QFileInfo(window->modelPath()).absoluteFilePath()));

    // The progress animation: a GIF with one frame per epoch, and PNG frames.
    QVERIFY(window->animation().frameCount() >= 1);
    QString error;
    QVERIFY2(window->exportAnimation(out.filePath(QStringLiteral("progress.gif")), &error), qPrintable(error));
    QImageReader gif(out.filePath(QStringLiteral("progress.gif")));
    QCOMPARE(gif.format(), QByteArray("gif"));
    QCOMPARE(gif.imageCount(), window->animation().frameCount());
    const QImage firstFrame = gif.read();
    QVERIFY(!firstFrame.isNull());
    QCOMPARE(firstFrame.size(), window->animation().renderFrame(0).size());
    QVERIFY2(window->exportAnimation(out.filePath(QStringLiteral("frames")), &error), qPrintable(error));
    QVERIFY(QFileInfo::exists(out.filePath(QStringLiteral("frames/frame_0001.png"))));
}

void TestMainWindow::closingMidTrainingIsQuickAndSaves()
{
    auto window = makeWindow();
    QVERIFY(waitShown(*window));
    QTemporaryDir out;
    QSignalSpy steps(window->worker(), &Worker::trainingStep);
    window->startTraining(testing::tinyTrainJob(scratch_.path(), out.path()));
    QVERIFY(QTest::qWaitFor([&] { return steps.count() >= 3; }, 60000));
    // Keep a sample running too.
    window->mixer()->pairSlider()->setValue(window->mixer()->pairSlider()->value() + 5);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(window->close());
    const qint64 ms = clock.elapsed();
    QVERIFY2(ms < 2000, qPrintable(QStringLiteral("closing took %1 ms").arg(ms)));
    QVERIFY(window->worker()->isFinished());
    const QString last = out.filePath(QStringLiteral("last.pt"));
    QVERIFY(QFileInfo::exists(last));
    QVERIFY(pixelmix::loadCheckpoint(last).state.step >= 3);
    window.reset();
}

void TestMainWindow::missingModelIsReportedInWords()
{
    MainWindowOptions options;
    options.startupCheckpoint = QDir(scratch_.path()).filePath(QStringLiteral("missing.pt"));
    options.preferStartupCheckpoint = true;
    options.settingsFile = QDir(scratch_.path()).filePath(QStringLiteral("unused.ini"));
    options.restoreSettings = false;
    MainWindow window(options);
    window.show();
    QVERIFY(QTest::qWaitFor([&] { return window.statusLabel()->text().contains(QStringLiteral("no such checkpoint")); }, 10000));
    QVERIFY(!window.hasModel());
    window.mixer()->pairSlider()->setValue(80);  // nothing to sample with: no request, no crash
    QCOMPARE(window.currentSampleId(), quint64(0));
    QString error;
    QVERIFY(!window.saveImage(QDir(scratch_.path()).filePath(QStringLiteral("x.png")), &error));
    QVERIFY(!error.isEmpty());
    // Opening a good checkpoint then brings the mixer to life.
    window.openCheckpoint(checkpoint_);
    QVERIFY(waitShown(window));
}

void TestMainWindow::settingsAreRemembered()
{
    const QString ini = QDir(scratch_.path()).filePath(QStringLiteral("remember.ini"));
    QFile::remove(ini);
    {
        auto window = makeWindow(0, ini);
        QVERIFY(waitShown(*window));
        window->temperatureBox()->setValue(0.75);
        window->seedBox()->setValue(4242);
        window->countBox()->setValue(7);
        window->setView(MainWindow::View::SameWeights);
        window->mixer()->setClassA(2);
        window->mixer()->setMixPercent(64);
        window->close();
    }
    auto window = makeWindow(0, ini);
    QCOMPARE(window->temperatureBox()->value(), 0.75);
    QCOMPARE(window->seedBox()->value(), 4242);
    QCOMPARE(window->countBox()->value(), 7);
    QCOMPARE(window->view(), MainWindow::View::SameWeights);
    QCOMPARE(window->mixer()->classA(), 2);
    QCOMPARE(window->mixer()->mixPercent(), 64);
    QVERIFY(waitShown(*window));
    QCOMPARE(window->lastSampleJob().seed, quint64(4242));
    QCOMPARE(window->lastSampleJob().weights.size(), 7);
}

void TestMainWindow::keyboardShortcuts()
{
    auto window = makeWindow();
    QVERIFY(waitShown(*window));
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    QSignalSpy requests(window.get(), &MainWindow::sampleRequested);

    const int seed = window->seedBox()->value();
    QTest::keyClick(window.get(), Qt::Key_N, Qt::ControlModifier);  // new seed
    QVERIFY(window->seedBox()->value() != seed);
    QCOMPARE(requests.count(), 1);
    QCOMPARE(requests.last().at(1).value<SampleJob>().seed, quint64(window->seedBox()->value()));

    const int mix = window->mixer()->mixPercent();
    QTest::keyClick(window.get(), Qt::Key_Right, Qt::ControlModifier);  // toward B
    QCOMPARE(window->mixer()->mixPercent(), std::min(100, mix + 10));

    QTest::keyClick(window.get(), Qt::Key_M, Qt::ControlModifier);  // same-weights view
    QCOMPARE(window->view(), MainWindow::View::SameWeights);
    QTest::keyClick(window.get(), Qt::Key_2, Qt::ControlModifier);  // Train tab
    QCOMPARE(window->tabs()->currentWidget(), window->trainingPanel());
    QTest::keyClick(window.get(), Qt::Key_L, Qt::ControlModifier);  // log scale
    QVERIFY(window->trainingPanel()->lossPlot()->logScale());
    const int before = requests.count();
    QTest::keyClick(window.get(), Qt::Key_F5);  // resample
    QCOMPARE(requests.count(), before + 1);
    QVERIFY(waitShown(*window));
}

void TestMainWindow::trainingThatCannotStartSaysWhy()
{
    auto window = makeWindow();
    QVERIFY(waitShown(*window));
    TrainingPanel* panel = window->trainingPanel();
    window->tabs()->setCurrentWidget(panel);
    panel->setDataset(QDir(scratch_.path()).filePath(QStringLiteral("no-such-data")));
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QVERIFY(!panel->startButton()->isEnabled());  // no second start while the first is on its way
    QVERIFY(QTest::qWaitFor([&] { return window->statusLabel()->text().contains(QStringLiteral("neither a data set name")); }, 10000));
    QVERIFY(panel->startButton()->isEnabled());
    QCOMPARE(window->worker()->trainingState(), Worker::TrainingState::Idle);
    // The mixer still works with the model it had.
    QSignalSpy shown(window.get(), &MainWindow::sampleShown);
    window->mixer()->pairSlider()->setValue(window->mixer()->pairSlider()->value() + 2);
    QVERIFY(shown.wait(10000));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
