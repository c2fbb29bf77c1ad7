// Training on real MNIST: the validation loss falls, `last` and `best` are written, cancelling
// stops at once, and a run resumed from a checkpoint (at an epoch boundary or mid-epoch) ends
// with bit-identical weights to an uninterrupted one.
#include "dataset.h"
#include "likelihood.h"
#include "trainer.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace pixelmix;

namespace {
ModelConfig smallModel()
{
    ModelConfig c;
    c.channels = 12;
    c.layers = 3;
    c.kernel = 3;
    return c;
}

TrainConfig smallTraining(int epochs)
{
    TrainConfig t;
    t.batchSize = 32;
    t.learningRate = 3e-3;
    t.epochs = epochs;
    t.threads = 1;  // one thread: the same arithmetic order in every run
    t.seed = 5;
    return t;
}

Dataset firstImages(const Dataset& d, int64_t count)
{
    Dataset subset = d;
    subset.images = d.images.narrow(0, 0, std::min(count, d.size()));
    subset.labels = d.labels.narrow(0, 0, std::min(count, d.size()));
    return subset;
}

bool sameWeights(PixelCNN& a, PixelCNN& b)
{
    auto pa = a->parameters(), pb = b->parameters();
    for (size_t i = 0; i < pa.size(); ++i)
        if (!torch::equal(pa[i], pb[i]))
            return false;
    return true;
}
}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void shortRunLowersValidationLoss();
    void resumeIsExact_data();
    void resumeIsExact();
    void cancelStopsBeforeTheNextBatch();

private:
    // Real MNIST, shuffled by a fixed permutation so small subsets hold every class.
    Dataset train_, test_;
    QTemporaryDir dir_;
};

void TestTrainer::initTestCase()
{
    auto shuffled = [](Dataset d) {
        auto order = torch::randperm(d.size(), at::detail::createCPUGenerator(1), torch::kLong);
        d.images = d.images.index_select(0, order);
        d.labels = d.labels.index_select(0, order);
        return d;
    };
    train_ = shuffled(loadDataset("mnist", Split::Train));
    test_ = shuffled(loadDataset("mnist", Split::Test));
    QCOMPARE(train_.size(), int64_t(8995));
}

void TestTrainer::shortRunLowersValidationLoss()
{
    auto t = smallTraining(1);
    t.validationImages = 300;
    Trainer trainer(smallModel(), t, firstImages(train_, 3000), test_, dir_.filePath("short"));
    const auto testLevels = quantise(test_.images.narrow(0, 0, 300), smallModel().levels);
    const double before = evaluate(trainer.model(), testLevels, test_.labels.narrow(0, 0, 300)).bitsPerDim;
    int steps = 0;
    std::vector<EpochReport> epochs;
    TrainerCallbacks callbacks;
    callbacks.onStep = [&](const StepReport& r) {
        ++steps;
        QVERIFY(r.bitsPerDim > 0 && r.imagesPerSecond > 0);
    };
    callbacks.onEpoch = [&](const EpochReport& r) { epochs.push_back(r); };
    QCOMPARE(trainer.run(callbacks), Trainer::Stop::LimitReached);
    QCOMPARE(steps, 94);  // ceil(3000 / 32)
    QCOMPARE(epochs.size(), size_t(1));
    const double after = epochs[0].record.validBitsPerDim;
    qInfo("validation bits/dim: %.4f before, %.4f after one epoch of 3000 images", before, after);
    QVERIFY2(after < before - 0.2, qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(after)));
    QVERIFY(after < 1.0);  // a 4-level MNIST model this small gets well under 1 bit/dim
    QVERIFY(epochs[0].improved);
    QVERIFY(QFileInfo::exists(trainer.lastPath()));
    QVERIFY(QFileInfo::exists(trainer.bestPath()));
    const auto reloaded = loadCheckpoint(trainer.bestPath());
    QCOMPARE(reloaded.state.epoch, 1);
    QCOMPARE(reloaded.state.stepBitsPerDim.size(), size_t(94));
}

void TestTrainer::resumeIsExact_data()
{
    QTest::addColumn<bool>("midEpoch");
    QTest::addColumn<bool>("augment");
    QTest::newRow("at an epoch boundary") << false << false;
    QTest::newRow("mid-epoch, with augmentation") << true << true;
}

void TestTrainer::resumeIsExact()
{
    QFETCH(bool, midEpoch);
    QFETCH(bool, augment);
    const auto trainSet = firstImages(train_, 320);  // 10 batches per epoch
    const auto testSet = firstImages(test_, 64);
    auto config = smallTraining(2);
    config.augment = augment;
    auto model = smallModel();
    model.dropout = 0.1;  // dropout draws from the global RNG, which the checkpoint carries

    const QString straightDir = dir_.filePath(QStringLiteral("straight-%1").arg(midEpoch));
    Trainer straight(model, config, trainSet, testSet, straightDir);
    straight.run({});

    const QString splitDir = dir_.filePath(QStringLiteral("split-%1").arg(midEpoch));
    {
        auto firstPart = config;
        firstPart.epochs = midEpoch ? 2 : 1;
        Trainer interrupted(model, firstPart, trainSet, testSet, splitDir);
        int steps = 0;
        TrainerCallbacks callbacks;
        callbacks.onStep = [&](const StepReport&) { ++steps; };
        callbacks.cancelled = [&] { return midEpoch && steps == 13; };  // 3 batches into epoch 2
        interrupted.run(callbacks);
        interrupted.saveLast();
        QCOMPARE(interrupted.state().step, std::int64_t(midEpoch ? 13 : 10));
    }
    auto resumed = Trainer::resume(QDir(splitDir).filePath("last.pt"), config, trainSet, testSet, splitDir);
    resumed->run({});
    QCOMPARE(resumed->state().step, straight.state().step);
    QVERIFY2(sameWeights(resumed->model(), straight.model()), "resumed weights differ from an uninterrupted run");
    QCOMPARE(resumed->state().stepBitsPerDim, straight.state().stepBitsPerDim);
    QCOMPARE(resumed->state().epochs.back().validBitsPerDim, straight.state().epochs.back().validBitsPerDim);
    // Bit for bit (QCOMPARE on doubles is fuzzy): the epoch mean of a mid-epoch resume too.
    QVERIFY(resumed->state().epochs.back().trainBitsPerDim == straight.state().epochs.back().trainBitsPerDim);
}

void TestTrainer::cancelStopsBeforeTheNextBatch()
{
    Trainer trainer(smallModel(), smallTraining(5), firstImages(train_, 640), firstImages(test_, 64),
                    dir_.filePath("cancel"));
    int steps = 0;
    TrainerCallbacks callbacks;
    callbacks.onStep = [&](const StepReport&) { ++steps; };
    callbacks.cancelled = [&] { return steps >= 4; };
    QCOMPARE(trainer.run(callbacks), Trainer::Stop::Cancelled);
    QCOMPARE(steps, 4);
    // Running again continues (pause/resume) from where it stopped.
    callbacks.cancelled = [&] { return steps >= 7; };
    QCOMPARE(trainer.run(callbacks), Trainer::Stop::Cancelled);
    QCOMPARE(trainer.state().step, std::int64_t(7));
}

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
