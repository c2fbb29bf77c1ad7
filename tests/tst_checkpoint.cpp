// Checkpoints: a round trip gives bit-identical logits and the same training state; files that are
// corrupt, truncated, of another architecture or not PixelMix checkpoints give a clear Error.
#include "checkpoint.h"
#include "error.h"
#include "tst_small_model.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace pixelmix;

namespace {
TrainingState stateFor(const ModelConfig& c)
{
    TrainingState s;
    s.model = c;
    s.dataset = "mnist";
    s.epoch = 3;
    s.batchInEpoch = 17;
    s.step = 1234;
    s.trainedSeconds = 61.5;
    s.bestValidBitsPerDim = 0.61;
    s.stepBitsPerDim = {1.9, 1.2, 0.8};
    s.epochs.push_back({1, 400, 0.9, 0.7, 340.0, 20.0});
    return s;
}

torch::Tensor logitsOf(PixelCNN& model)
{
    torch::NoGradGuard noGrad;
    model->eval();
    auto generator = at::detail::createCPUGenerator(3);
    const auto& c = model->config;
    auto levels = torch::randint(0, c.levels, {2, c.height, c.width}, generator, torch::kLong);
    auto weights = torch::rand({2, c.classes}, generator);
    return model->forward(levels, weights / weights.sum(1, true));
}

// The config of the current row of roundTripGivesBitIdenticalLogits_data().
ModelConfig configOfRow()
{
    QFETCH(int, channels);
    QFETCH(int, layers);
    QFETCH(int, kernel);
    QFETCH(int, levels);
    QFETCH(int, spatial);
    return test::configWith(channels, layers, kernel, levels, spatial);
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}
}  // namespace

class TestCheckpoint : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripGivesBitIdenticalLogits_data();
    void roundTripGivesBitIdenticalLogits();
    void roundTripKeepsOptimizerForResume();
    void badFilesGiveClearErrors_data();
    void badFilesGiveClearErrors();
    void otherArchitectureGivesClearError_data();
    void otherArchitectureGivesClearError();
    void parameterCountIsTheModels_data();
    void parameterCountIsTheModels();
    void saveIsAtomic();

private:
    QTemporaryDir dir_;
};

void TestCheckpoint::roundTripGivesBitIdenticalLogits_data()
{
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("kernel");
    QTest::addColumn<int>("levels");
    QTest::addColumn<int>("spatial");
    QTest::newRow("default") << ModelConfig().channels << ModelConfig().layers << ModelConfig().kernel
                             << ModelConfig().levels << ModelConfig().spatialChannels;
    QTest::newRow("tiny 3x3") << 4 << 1 << 3 << 2 << 0;
    QTest::newRow("256 levels") << 8 << 2 << 7 << 256 << 4;
}

void TestCheckpoint::roundTripGivesBitIdenticalLogits()
{
    const auto c = configOfRow();
    PixelCNN model(c);
    const QString path = dir_.filePath(QStringLiteral("round-%1.pt").arg(QTest::currentDataTag()));
    saveCheckpoint(path, stateFor(c), model, nullptr);
    auto loaded = loadCheckpoint(path);
    QVERIFY(loaded.state.model == c);
    QVERIFY(torch::equal(logitsOf(model), logitsOf(loaded.model)));
    QCOMPARE(loaded.state.step, std::int64_t(1234));
    QCOMPARE(loaded.state.batchInEpoch, std::int64_t(17));
    QCOMPARE(loaded.state.stepBitsPerDim, (std::vector<double>{1.9, 1.2, 0.8}));
    QCOMPARE(loaded.state.epochs.size(), size_t(1));
    QCOMPARE(loaded.state.epochs[0].validNatsPerImage, 340.0);
}

void TestCheckpoint::roundTripKeepsOptimizerForResume()
{
    const auto c = test::configWith(4, 1, 3, 4, 2);
    PixelCNN model(c);
    torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(0.01));
    auto levels = torch::randint(0, 4, {2, 28, 28}, torch::kLong);
    auto weights = torch::full({2, 10}, 0.1);
    for (int i = 0; i < 3; ++i) {
        adam.zero_grad();
        torch::nn::functional::cross_entropy(model->forward(levels, weights), levels).backward();
        adam.step();
    }
    const QString path = dir_.filePath("resume.pt");
    saveCheckpoint(path, stateFor(c), model, &adam);
    const auto rngAfterSave = torch::rand({4});
    std::unique_ptr<torch::optim::Optimizer> restored;
    auto loaded = loadCheckpointForResume(
        path,
        [](PixelCNN& m, const TrainingState&) {
            return std::make_unique<torch::optim::Adam>(m->parameters(), torch::optim::AdamOptions(0.01));
        },
        restored);
    QVERIFY(torch::equal(rngAfterSave, torch::rand({4})));  // the global RNG is back where it was saved
    // One more identical step on both gives identical weights: Adam's moments came back.
    for (auto* pair : {&adam, static_cast<torch::optim::Adam*>(restored.get())}) {
        auto& m = pair == &adam ? model : loaded.model;
        pair->zero_grad();
        torch::nn::functional::cross_entropy(m->forward(levels, weights), levels).backward();
        pair->step();
    }
    QVERIFY(torch::equal(logitsOf(model), logitsOf(loaded.model)));
}

void TestCheckpoint::badFilesGiveClearErrors_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing") << "no-such-file.pt" << "no such checkpoint";
    QTest::newRow("empty") << "empty.pt" << "not a checkpoint";
    QTest::newRow("text") << "not-a-checkpoint.pt" << "not a checkpoint";
    QTest::newRow("truncated") << "truncated.pt" << "not a checkpoint";
    QTest::newRow("foreign torch archive") << "foreign-archive.pt" << "not a PixelMix checkpoint";
    // An endless device must be refused before anything is read into memory.
    QTest::newRow("endless device") << "/dev/zero" << "not a LibTorch archive";
}

void TestCheckpoint::badFilesGiveClearErrors()
{
    QFETCH(QString, fixture);
    QFETCH(QString, expected);
    const QString path =
        QDir::isAbsolutePath(fixture) ? fixture : QStringLiteral(PIXELMIX_TEST_DATA "/checkpoints/") + fixture;
    try {
        loadCheckpoint(path);
        QFAIL("loading succeeded");
    } catch (const Error& e) {
        QVERIFY2(e.message().contains(fixture), qPrintable(e.message()));
        QVERIFY2(e.message().contains(expected), qPrintable(e.message()));
    }
}

void TestCheckpoint::otherArchitectureGivesClearError_data()
{
    // The weights are always of an 8-channel, 2-layer 3x3 model with 4 spatial channels; the stored
    // config says otherwise.
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("spatial");
    QTest::addColumn<QString>("expected");
    QTest::newRow("config wider than the weights") << 16 << 2 << 4 << "do not fit";
    QTest::newRow("config with fewer layers") << 8 << 1 << 4 << "weight tensors";
    QTest::newRow("config without the spatial maps") << 8 << 2 << 0 << "weight tensors";
    QTest::newRow("config claiming gigabytes") << 1024 << 64 << 4 << "MB of weights";
}

void TestCheckpoint::otherArchitectureGivesClearError()
{
    QFETCH(int, channels);
    QFETCH(int, layers);
    QFETCH(int, spatial);
    QFETCH(QString, expected);
    PixelCNN model(test::configWith(8, 2, 3, 4, 4));
    const QString path = dir_.filePath(QStringLiteral("mismatch-%1.pt").arg(QTest::currentDataTag()));
    saveCheckpoint(path, stateFor(test::configWith(channels, layers, 3, 4, spatial)), model, nullptr);
    try {
        loadCheckpoint(path);
        QFAIL("loading succeeded");
    } catch (const Error& e) {
        QVERIFY2(e.message().contains(QFileInfo(path).fileName()) && e.message().contains(expected),
                 qPrintable(e.message()));
    }
}

void TestCheckpoint::parameterCountIsTheModels_data() { roundTripGivesBitIdenticalLogits_data(); }

void TestCheckpoint::parameterCountIsTheModels()
{
    const auto c = configOfRow();
    PixelCNN model(c);
    qint64 count = 0;
    for (const auto& p : model->parameters())
        count += p.numel();
    QCOMPARE(c.parameterCount(), count);
}

void TestCheckpoint::saveIsAtomic()
{
    // An unwritable destination leaves the good file in place and reports the problem.
    const auto c = test::configWith(4, 1, 3, 4, 0);
    PixelCNN model(c);
    const QString path = dir_.filePath("atomic.pt");
    saveCheckpoint(path, stateFor(c), model, nullptr);
    const QByteArray before = readAll(path);
    QVERIFY_THROWS_EXCEPTION(Error, saveCheckpoint(dir_.filePath("no-such-dir/x.pt"), stateFor(c), model, nullptr));
    saveCheckpoint(path, stateFor(c), model, nullptr);
    QCOMPARE(readAll(path).size(), before.size());
    QVERIFY(QDir(dir_.path()).entryList({"atomic.pt.*"}, QDir::Files | QDir::Hidden).isEmpty());  // no temp left
}

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "tst_checkpoint.moc"
