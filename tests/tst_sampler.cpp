// Both samplers: deterministic for a seed, argmax at T -> 0, levels in range, and the cached
// (incremental) sampler reproduces the naive reference: the same logits within 1e-4 and the same
// levels, over kernel sizes, depths, level counts, batch sizes and soft weights.
#include "cached_sampler.h"
#include "error.h"
#include "sampler.h"
#include "tst_small_model.h"

#include <QtTest>

using namespace pixelmix;
Q_DECLARE_METATYPE(pixelmix::SamplerKind)

namespace {
ModelConfig config(int kernel, int layers, int levels, int spatial, int size)
{
    return test::configWith(8, layers, kernel, levels, spatial, size);
}

SampleRequest request(torch::Tensor weights, double temperature, std::uint64_t seed, bool shared = false)
{
    SampleRequest r;
    r.weights = std::move(weights);
    r.temperature = temperature;
    r.seed = seed;
    r.sharedNoise = shared;
    return r;
}

torch::Tensor softWeights(int batch, int classes, std::uint64_t seed)
{
    auto generator = at::detail::createCPUGenerator(seed);
    auto w = torch::rand({batch, classes}, generator);
    return w / w.sum(1, true);
}
}  // namespace

class TestSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cachedMatchesNaive_data();
    void cachedMatchesNaive();
    void cachedLogitsMatchFullForwardOnDefaultConfig();
    void deterministicForASeed_data();
    void deterministicForASeed();
    void zeroTemperatureIsArgmax_data();
    void zeroTemperatureIsArgmax();
    void sharedNoiseGivesIdenticalImagesForIdenticalWeights();
    void callbackSeesEveryPixelAndCanCancel_data();
    void callbackSeesEveryPixelAndCanCancel();
    void drawLevelInvertsTheCdf_data();
    void drawLevelInvertsTheCdf();
    void parseWeights_data();
    void parseWeights();
    void rejectsWrongWeightShape();
};

void TestSampler::cachedMatchesNaive_data()
{
    QTest::addColumn<int>("kernel");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("levels");
    QTest::addColumn<int>("spatial");
    QTest::addColumn<int>("batch");
    QTest::addColumn<double>("temperature");
    QTest::addColumn<bool>("shared");
    // Threads split the images of every row between them (vertical and horizontal stacks alike).
    QTest::addColumn<int>("threads");
    QTest::newRow("1x1, 1 layer, K=4, B=1") << 1 << 1 << 4 << 8 << 1 << 1.0 << false << 1;
    QTest::newRow("3x3, 2 layers, K=2, B=3") << 3 << 2 << 2 << 8 << 3 << 1.0 << false << 1;
    QTest::newRow("5x5, 4 layers, K=4, B=5, soft") << 5 << 4 << 4 << 8 << 5 << 1.0 << false << 1;
    QTest::newRow("5x5, 4 layers, K=4, B=7, soft, 2 threads") << 5 << 4 << 4 << 8 << 7 << 1.0 << false << 2;
    QTest::newRow("5x5, 3 layers, K=4, B=4, shared noise") << 5 << 3 << 4 << 8 << 4 << 0.8 << true << 1;
    QTest::newRow("3x3, 3 layers, K=4, B=9, shared noise, 3 threads") << 3 << 3 << 4 << 8 << 9 << 1.0 << true << 3;
    QTest::newRow("7x7, 2 layers, K=256, B=2") << 7 << 2 << 256 << 4 << 2 << 1.0 << false << 1;
    QTest::newRow("3x3, 5 layers, no spatial map, T=0") << 3 << 5 << 4 << 0 << 2 << 0.0 << false << 1;
    QTest::newRow("5x5, 2 layers, K=16, T=1.5") << 5 << 2 << 16 << 8 << 3 << 1.5 << false << 1;
}

void TestSampler::cachedMatchesNaive()
{
    QFETCH(int, kernel);
    QFETCH(int, layers);
    QFETCH(int, levels);
    QFETCH(int, spatial);
    QFETCH(int, batch);
    QFETCH(double, temperature);
    QFETCH(bool, shared);
    QFETCH(int, threads);
    const auto c = config(kernel, layers, levels, spatial, 9);
    auto model = test::randomModel(c, 17);
    const auto r = request(softWeights(batch, c.classes, 5), temperature, 1234, shared);

    const auto naive = sample(model, r, SamplerKind::Naive);
    torch::Tensor cachedLogits;
    torch::NoGradGuard noGrad;
    const int threadsBefore = torch::get_num_threads();
    torch::set_num_threads(threads);
    const auto cached = CachedSampler(*model).run(r, sampleUniforms(r, c.height, c.width), {}, &cachedLogits);
    torch::set_num_threads(threadsBefore);
    QVERIFY2(torch::equal(naive, cached), "the cached sampler drew other levels than the reference");

    // The logits the cached sampler drew from are those of a full forward pass over its own images.
    model->eval();
    const auto full = model->forward(cached, r.weights);
    const double gap = (full - cachedLogits).abs().max().item<double>();
    QVERIFY2(gap < 1e-4, qPrintable(QStringLiteral("logits differ by %1").arg(gap)));
    QVERIFY(cached.max().item<int>() < levels);
}

void TestSampler::cachedLogitsMatchFullForwardOnDefaultConfig()
{
    ModelConfig c;  // the shipped architecture at full size
    auto model = test::randomModel(c, 3);
    const auto r = request(softWeights(3, c.classes, 9), 1.0, 77);
    torch::Tensor cachedLogits;
    torch::NoGradGuard noGrad;
    model->eval();
    const auto cached = CachedSampler(*model).run(r, sampleUniforms(r, c.height, c.width), {}, &cachedLogits);
    const double gap = (model->forward(cached, r.weights) - cachedLogits).abs().max().item<double>();
    QVERIFY2(gap < 1e-4, qPrintable(QStringLiteral("logits differ by %1").arg(gap)));
}

void TestSampler::deterministicForASeed_data()
{
    QTest::addColumn<SamplerKind>("kind");
    QTest::newRow("naive") << SamplerKind::Naive;
    QTest::newRow("cached") << SamplerKind::Cached;
}

void TestSampler::deterministicForASeed()
{
    QFETCH(SamplerKind, kind);
    const auto c = config(3, 2, 4, 8, 8);
    auto model = test::randomModel(c, 1);
    const auto weights = softWeights(2, c.classes, 1);
    const auto a = sample(model, request(weights, 1.0, 99), kind);
    const auto b = sample(model, request(weights, 1.0, 99), kind);
    const auto other = sample(model, request(weights, 1.0, 100), kind);
    QVERIFY(torch::equal(a, b));
    QVERIFY(!torch::equal(a, other));
    QCOMPARE(a.scalar_type(), torch::kUInt8);
}

void TestSampler::zeroTemperatureIsArgmax_data() { deterministicForASeed_data(); }

void TestSampler::zeroTemperatureIsArgmax()
{
    QFETCH(SamplerKind, kind);
    const auto c = config(3, 3, 4, 8, 8);
    auto model = test::randomModel(c, 2);
    const auto weights = softWeights(2, c.classes, 2);
    const auto levels = sample(model, request(weights, 0.0, 1), kind);
    QVERIFY(torch::equal(levels, sample(model, request(weights, 0.0, 2), kind)));  // no noise left
    torch::NoGradGuard noGrad;
    model->eval();
    const auto argmax = model->forward(levels, weights).argmax(1).to(torch::kUInt8);  // teacher-forced
    QVERIFY(torch::equal(levels, argmax));
}

void TestSampler::sharedNoiseGivesIdenticalImagesForIdenticalWeights()
{
    const auto c = config(3, 2, 4, 8, 8);
    auto model = test::randomModel(c, 4);
    const auto weights = softWeights(1, c.classes, 3).repeat({3, 1});
    const auto shared = sample(model, request(weights, 1.0, 5, true));
    QVERIFY(torch::equal(shared[0], shared[1]) && torch::equal(shared[1], shared[2]));
    const auto independent = sample(model, request(weights, 1.0, 5, false));
    QVERIFY(!torch::equal(independent[0], independent[1]));
}

void TestSampler::callbackSeesEveryPixelAndCanCancel_data() { deterministicForASeed_data(); }

void TestSampler::callbackSeesEveryPixelAndCanCancel()
{
    QFETCH(SamplerKind, kind);
    const auto c = config(3, 2, 4, 8, 6);
    auto model = test::randomModel(c, 5);
    int calls = 0, previous = -1;
    bool rasterOrder = true;
    sample(model, request(softWeights(1, c.classes, 1), 1.0, 1), kind, [&](int row, int col, const torch::Tensor&) {
        rasterOrder = rasterOrder && row * c.width + col == previous + 1;  // no gaps, no repeats
        previous = row * c.width + col;
        ++calls;
        return true;
    });
    QVERIFY(rasterOrder);
    QCOMPARE(calls, c.height * c.width);
    calls = 0;
    sample(model, request(softWeights(1, c.classes, 1), 1.0, 1), kind, [&](int, int, const torch::Tensor&) {
        return ++calls < 10;
    });
    QCOMPARE(calls, 10);
}

void TestSampler::drawLevelInvertsTheCdf_data()
{
    QTest::addColumn<double>("uniform");
    QTest::addColumn<double>("temperature");
    QTest::addColumn<int>("expected");
    // logits log(0.1), log(0.2), log(0.3), log(0.4): CDF 0.1, 0.3, 0.6, 1.0
    QTest::newRow("u=0.05") << 0.05 << 1.0 << 0;
    QTest::newRow("u=0.25") << 0.25 << 1.0 << 1;
    QTest::newRow("u=0.59") << 0.59 << 1.0 << 2;
    QTest::newRow("u=0.61") << 0.61 << 1.0 << 3;
    QTest::newRow("u=0.999999") << 0.999999 << 1.0 << 3;
    QTest::newRow("T=0 ignores u") << 0.01 << 0.0 << 3;
}

void TestSampler::drawLevelInvertsTheCdf()
{
    QFETCH(double, uniform);
    QFETCH(double, temperature);
    QFETCH(int, expected);
    const float logits[4] = {std::log(0.1f), std::log(0.2f), std::log(0.3f), std::log(0.4f)};
    QCOMPARE(drawLevel(logits, 4, temperature, uniform), expected);
}

void TestSampler::parseWeights_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<double>("weightOfFour");
    QTest::newRow("pair") << "4:0.7,9:0.3" << true << 0.7;
    QTest::newRow("unnormalised") << "4:7, 9:3" << true << 0.7;
    QTest::newRow("one class") << "4:1" << true << 1.0;
    QTest::newRow("class out of range") << "12:1" << false << 0.0;
    QTest::newRow("negative") << "4:-1,9:2" << false << 0.0;
    QTest::newRow("garbage") << "four" << false << 0.0;
    QTest::newRow("all zero") << "4:0" << false << 0.0;
    QTest::newRow("beyond float") << "4:7e38,9:3e38" << true << 0.7;
    QTest::newRow("below float") << "4:7e-46,9:3e-46" << true << 0.7;
    QTest::newRow("too large to add") << "4:1e308,9:1e308" << false << 0.0;
    QTest::newRow("not a number") << "4:nan" << false << 0.0;
    QTest::newRow("empty") << "" << false << 0.0;
}

void TestSampler::parseWeights()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(double, weightOfFour);
    try {
        const auto w = pixelmix::parseWeights(text, 10);
        QVERIFY(valid);
        QCOMPARE(w.sizes().vec(), (std::vector<int64_t>{1, 10}));
        QVERIFY(std::abs(w[0][4].item<double>() - weightOfFour) < 1e-6);
        QVERIFY(std::abs(w.sum().item<double>() - 1.0) < 1e-6);
    } catch (const Error& e) {
        QVERIFY2(!valid, qPrintable(e.message()));
        QVERIFY(e.message().contains(text));
    }
}

void TestSampler::rejectsWrongWeightShape()
{
    auto model = test::randomModel(config(3, 1, 4, 8, 6), 1);
    QVERIFY_THROWS_EXCEPTION(Error, sample(model, request(torch::ones({2, 3}) / 3, 1.0, 1)));
}

QTEST_GUILESS_MAIN(TestSampler)
#include "tst_sampler.moc"
