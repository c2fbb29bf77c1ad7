// The worker thread on its own: streaming, latest-request-wins, results equal to core's sample(),
// training with preemption that resumes exactly, pause/stop, checkpoints, errors, shutdown.
#include "tst_gui_common.h"
#include "trainer.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace pixelmix::ui;

namespace {
SampleJob stripJob(int count, int a, int b, quint64 seed, double temperature = 1.0)
{
    SampleJob job;
    job.seed = seed;
    job.temperature = temperature;
    job.sharedNoise = true;
    for (int k = 0; k < count; ++k) {
        QVector<double> w(10, 0.0);
        const double t = count > 1 ? double(k) / (count - 1) : 0.0;
        w[a] += 1.0 - t;
        w[b] += t;
        job.weights << w;
    }
    return job;
}

// Worker signals reach a QSignalSpy on the worker's thread, possibly before a wait() starts: so
// the tests wait for a count, never with QSignalSpy::wait().
bool waitForModel(Worker& worker, QSignalSpy& modelSpy, int count = 1)
{
    Q_UNUSED(worker);
    return QTest::qWaitFor([&] { return modelSpy.count() >= count; }, 20000);
}

std::vector<double> stepHistory(const QString& checkpoint)
{
    return pixelmix::loadCheckpoint(checkpoint).state.stepBitsPerDim;
}
}  // namespace

class TestWorker : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void streamsPixelsBeforeTheResult_data();
    void streamsPixelsBeforeTheResult();
    void latestRequestWins();
    void errorsAreWordsNotCrashes_data();
    void errorsAreWordsNotCrashes();
    void trainPauseResumeStopWritesLast();
    void samplingPreemptsTrainingAndResumesExactly();
    void shutdownMidTrainingIsQuickAndSaves();
    void saveCheckpointRoundTrips();

private:
    QTemporaryDir scratch_;
    QString checkpoint_;
};

void TestWorker::initTestCase()
{
    QVERIFY(scratch_.isValid());
    checkpoint_ = testing::writeCheckpoint(scratch_.path());
}

void TestWorker::streamsPixelsBeforeTheResult_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("shared");
    QTest::addColumn<double>("temperature");
    QTest::newRow("strip of 11, shared noise") << 11 << true << 1.0;
    QTest::newRow("one image") << 1 << true << 1.0;
    QTest::newRow("12 images, own noise, cold") << 12 << false << 0.5;
    QTest::newRow("argmax") << 4 << true << 0.0;
}

void TestWorker::streamsPixelsBeforeTheResult()
{
    QFETCH(int, count);
    QFETCH(bool, shared);
    QFETCH(double, temperature);
    Worker worker;
    QSignalSpy modelSpy(&worker, &Worker::modelChanged);
    worker.loadCheckpoint(checkpoint_);
    QVERIFY(waitForModel(worker, modelSpy));
    const auto info = modelSpy.at(0).at(0).value<ModelInfo>();
    QCOMPARE(info.classNames.size(), 10);
    QCOMPARE(info.levels, 4);

    // Record the order in which the signals arrive.
    QStringList order;
    int partial = 0;
    LevelsBlock result;
    QVector<ImageInfo> imageInfo;
    connect(&worker, &Worker::sampleProgress, this, [&](quint64, int row, int col, const LevelsBlock& levels) {
        order << QStringLiteral("progress");
        QCOMPARE(levels.count, count);
        if (row * 28 + col + 1 < 784)
            ++partial;
    });
    connect(&worker, &Worker::sampleFinished, this, [&](quint64, const LevelsBlock& levels, const QVector<ImageInfo>& i) {
        order << QStringLiteral("finished");
        result = levels;
        imageInfo = i;
    });
    SampleJob job = stripJob(count, 4, 9, 123, temperature);
    job.sharedNoise = shared;
    const quint64 id = worker.requestSample(job);
    QVERIFY(id > 0);
    QVERIFY(QTest::qWaitFor([&] { return order.contains(QStringLiteral("finished")); }, 20000));
    QCOMPARE(order.first(), QStringLiteral("progress"));  // the first pixel goes out at once
    QCOMPARE(order.last(), QStringLiteral("finished"));
    QVERIFY(partial >= 1);
    QCOMPARE(result.count, count);
    QCOMPARE(result.height, 28);
    QCOMPARE(result.data.size(), qsizetype(count) * 784);
    QCOMPARE(imageInfo.size(), count);
    for (const auto& i : imageInfo) {
        QVERIFY(i.bitsPerDim > 0.0);
        QCOMPARE(i.weights.size(), 10);
    }
    QCOMPARE(result.data, testing::directSample(checkpoint_, job));
}

void TestWorker::latestRequestWins()
{
    Worker worker;
    QSignalSpy modelSpy(&worker, &Worker::modelChanged);
    QSignalSpy finished(&worker, &Worker::sampleFinished);
    worker.loadCheckpoint(checkpoint_);
    QVERIFY(waitForModel(worker, modelSpy));
    quint64 last = 0;
    SampleJob job;
    for (int i = 0; i < 50; ++i) {
        job = stripJob(11, i % 10, (i * 3 + 1) % 10, 99);
        last = worker.requestSample(job);
    }
    QVERIFY(QTest::qWaitFor([&] {
        return !finished.isEmpty() && finished.last().at(0).value<quint64>() == last;
    }, 20000));
    QTest::qWait(200);
    // Superseded requests are cancelled or replaced: only a few may finish, never after the last.
    QVERIFY2(finished.count() < 10, qPrintable(QString::number(finished.count())));
    QCOMPARE(finished.last().at(0).value<quint64>(), last);
    for (const auto& args : finished)
        QVERIFY(args.at(0).value<quint64>() <= last);
    QCOMPARE(finished.last().at(1).value<LevelsBlock>().data, testing::directSample(checkpoint_, job));
}

void TestWorker::errorsAreWordsNotCrashes_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing checkpoint") << "load-missing" << "no such checkpoint";
    QTest::newRow("not a checkpoint") << "load-garbage" << "not a checkpoint";
    QTest::newRow("sample without a model") << "sample" << "No model";
    QTest::newRow("train on a missing folder") << "train-missing" << "neither a data set name";
}

void TestWorker::errorsAreWordsNotCrashes()
{
    QFETCH(QString, what);
    QFETCH(QString, expected);
    Worker worker;
    QSignalSpy errors(&worker, &Worker::error);
    if (what == QLatin1String("load-missing")) {
        worker.loadCheckpoint(QDir(scratch_.path()).filePath(QStringLiteral("nope.pt")));
    } else if (what == QLatin1String("load-garbage")) {
        const QString path = QDir(scratch_.path()).filePath(QStringLiteral("garbage.pt"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("definitely not a zip archive");
        f.close();
        worker.loadCheckpoint(path);
    } else if (what == QLatin1String("sample")) {
        worker.requestSample(stripJob(3, 1, 2, 5));
    } else {
        auto job = testing::tinyTrainJob(scratch_.path(), QDir(scratch_.path()).filePath(QStringLiteral("never")));
        job.dataset = QDir(scratch_.path()).filePath(QStringLiteral("no-such-folder"));
        worker.startTraining(job);
    }
    QVERIFY(QTest::qWaitFor([&] { return !errors.isEmpty(); }, 20000));
    const QString message = errors.at(0).at(0).toString();
    QVERIFY2(message.contains(expected, Qt::CaseInsensitive), qPrintable(message));
    QCOMPARE(worker.trainingState(), Worker::TrainingState::Idle);
}

void TestWorker::trainPauseResumeStopWritesLast()
{
    QTemporaryDir out;
    Worker worker;
    QSignalSpy states(&worker, &Worker::trainingStateChanged);
    QSignalSpy steps(&worker, &Worker::trainingStep);
    QSignalSpy epochs(&worker, &Worker::epochFinished);
    QSignalSpy models(&worker, &Worker::modelChanged);
    worker.startTraining(testing::tinyTrainJob(scratch_.path(), out.path()));
    QVERIFY(QTest::qWaitFor([&] { return epochs.count() >= 1; }, 60000));
    QCOMPARE(worker.trainingState(), Worker::TrainingState::Running);
    const auto epoch = epochs.at(0).at(0).value<EpochInfo>();
    QCOMPARE(epoch.epoch, 1);
    QVERIFY(epoch.validBitsPerDim > 0.0);
    QCOMPARE(epoch.grid.size(), QSize(10 * 30 + 2, 5 * 30 + 2));  // 5 per class, one column per class
    QVERIFY(!steps.isEmpty());
    qint64 losses = 0;
    for (const auto& args : steps)
        losses += args.at(0).value<StepInfo>().losses.size();
    QVERIFY(losses >= 8);  // 256 images in batches of 32, every step's loss delivered

    worker.pauseTraining();
    QVERIFY(QTest::qWaitFor([&] { return worker.trainingState() == Worker::TrainingState::Paused; }, 10000));
    QTest::qWait(100);
    const int stepsWhilePaused = steps.count();
    QTest::qWait(300);
    QCOMPARE(steps.count(), stepsWhilePaused);
    // Saving elsewhere while paused writes a resumable checkpoint of the paused step.
    QSignalSpy saved(&worker, &Worker::checkpointSaved);
    const QString copy = QDir(out.path()).filePath(QStringLiteral("saved-while-paused.pt"));
    QVERIFY(QFile(copy).open(QIODevice::WriteOnly));  // an older file there is replaced
    worker.saveCheckpoint(copy);
    QVERIFY(QTest::qWaitFor([&] { return !saved.isEmpty(); }, 20000));
    QCOMPARE(stepHistory(copy), stepHistory(QDir(out.path()).filePath(QStringLiteral("last.pt"))));
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    const auto makeAdam = [](pixelmix::PixelCNN& m, const pixelmix::TrainingState& s) {
        return pixelmix::makeAdam(m, s.train.learningRate);
    };
    pixelmix::loadCheckpointForResume(copy, makeAdam, optimizer);
    QVERIFY(optimizer);
    worker.resumeTraining();
    QVERIFY(QTest::qWaitFor([&] { return steps.count() > stepsWhilePaused; }, 10000));

    worker.stopTraining();
    QVERIFY(QTest::qWaitFor([&] { return worker.trainingState() == Worker::TrainingState::Idle; }, 10000));
    const QString last = QDir(out.path()).filePath(QStringLiteral("last.pt"));
    QVERIFY(QFileInfo::exists(last));
    QVERIFY(QFileInfo::exists(QDir(out.path()).filePath(QStringLiteral("best.pt"))));
    QVERIFY(stepHistory(last).size() >= 8);
    QList<Worker::TrainingState> seen;
    for (const auto& args : states)
        seen << args.at(0).value<Worker::TrainingState>();
    QCOMPARE(seen, (QList<Worker::TrainingState>{Worker::TrainingState::Running, Worker::TrainingState::Paused,
                                                 Worker::TrainingState::Running, Worker::TrainingState::Idle}));
    // The trained model stays for sampling.
    QVERIFY(QTest::qWaitFor([&] { return models.count() >= 2; }, 5000));
    QCOMPARE(models.last().at(0).value<ModelInfo>().path, last);
    QSignalSpy finished(&worker, &Worker::sampleFinished);
    worker.requestSample(stripJob(3, 0, 1, 1));
    QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 20000));
}

void TestWorker::samplingPreemptsTrainingAndResumesExactly()
{
    // The same two epochs, once alone and once under a hail of sample requests: a sample preempts
    // training between batches and training continues exactly, so the step losses are identical.
    QTemporaryDir alone, interrupted;
    constexpr int kEpochs = 3;
    std::vector<double> reference;
    {
        Worker worker;
        QSignalSpy states(&worker, &Worker::trainingStateChanged);
        auto job = testing::tinyTrainJob(scratch_.path(), alone.path());
        job.train.epochs = kEpochs;
        worker.startTraining(job);
        QVERIFY(QTest::qWaitFor([&] {
            return !states.isEmpty() && states.last().at(0).value<Worker::TrainingState>() == Worker::TrainingState::Idle;
        }, 120000));
        reference = stepHistory(QDir(alone.path()).filePath(QStringLiteral("last.pt")));
    }
    QCOMPARE(int(reference.size()), kEpochs * 8);
    {
        Worker worker;
        // Signals from the worker arrive in the order it sent them, so a sample result delivered
        // before the Idle state was served while the training was still running.
        bool idle = false;
        int servedDuringTraining = 0, served = 0;
        connect(&worker, &Worker::trainingStateChanged, this,
                [&](Worker::TrainingState s) { idle = s == Worker::TrainingState::Idle; });
        connect(&worker, &Worker::sampleFinished, this, [&] {
            ++served;
            if (!idle)
                ++servedDuringTraining;
        });
        auto job = testing::tinyTrainJob(scratch_.path(), interrupted.path());
        job.train.epochs = kEpochs;
        worker.startTraining(job);
        // A hail of requests: each preempts the training at its next batch.
        for (int i = 0; i < 400 && !idle; ++i) {
            const int before = served;
            worker.requestSample(stripJob(2, i % 10, 8, 11 + i));
            QVERIFY(QTest::qWaitFor([&] { return served > before; }, 10000));
        }
        QVERIFY(QTest::qWaitFor([&] { return idle; }, 120000));
        QVERIFY2(servedDuringTraining >= 2, qPrintable(QString::number(servedDuringTraining)));
        const auto history = stepHistory(QDir(interrupted.path()).filePath(QStringLiteral("last.pt")));
        QCOMPARE(int(history.size()), int(reference.size()));
        for (size_t i = 0; i < history.size(); ++i)
            QCOMPARE(history[i], reference[i]);
    }
}

void TestWorker::shutdownMidTrainingIsQuickAndSaves()
{
    QTemporaryDir out;
    auto* worker = new Worker;
    QSignalSpy steps(worker, &Worker::trainingStep);
    worker->startTraining(testing::tinyTrainJob(scratch_.path(), out.path()));
    QVERIFY(QTest::qWaitFor([&] { return steps.count() >= 2; }, 30000));
    QElapsedTimer clock;
    clock.start();
    worker->shutdown();
    QVERIFY(worker->wait(5000));
    const qint64 ms = clock.elapsed();
    QVERIFY2(ms < 2000, qPrintable(QStringLiteral("%1 ms").arg(ms)));
    const QString last = QDir(out.path()).filePath(QStringLiteral("last.pt"));
    QVERIFY(QFileInfo::exists(last));
    QVERIFY(pixelmix::loadCheckpoint(last).state.step >= 2);
    delete worker;
}

void TestWorker::saveCheckpointRoundTrips()
{
    QTemporaryDir out;
    Worker worker;
    QSignalSpy models(&worker, &Worker::modelChanged);
    QSignalSpy saved(&worker, &Worker::checkpointSaved);
    worker.loadCheckpoint(checkpoint_);
    QVERIFY(waitForModel(worker, models));
    const QString copy = QDir(out.path()).filePath(QStringLiteral("copy.pt"));
    const quint64 id = worker.saveCheckpoint(copy);
    QVERIFY(QTest::qWaitFor([&] { return !saved.isEmpty(); }, 20000));
    QCOMPARE(saved.at(0).at(0).value<quint64>(), id);
    const SampleJob job = stripJob(5, 2, 7, 31);
    QCOMPARE(testing::directSample(copy, job), testing::directSample(checkpoint_, job));
}

QTEST_GUILESS_MAIN(TestWorker)
#include "tst_worker.moc"
