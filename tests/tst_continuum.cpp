// Continuum strips: the weights along a strip, coherent rows (their ends are the one-hot samples of
// the same seed; identical weights give identical images), independent rows, the posterior and
// bits/dim of every image, cancelling, pair parsing and the posterior chart.
#include "continuum.h"
#include "error.h"
#include "likelihood.h"
#include "posterior_plot.h"
#include "tst_small_model.h"

#include <QtTest>

using namespace pixelmix;
Q_DECLARE_METATYPE(pixelmix::SamplerKind)

namespace {
// A 10x10 model: quick, and with classes and pixels that differ a lot.
PixelCNN randomModel(std::uint64_t seed)
{
    return test::randomModel(test::smallConfig(10), seed);
}

StripRequest stripRequest(int a, int b, int steps, int rows, std::uint64_t seed, bool coherent,
                          SamplerKind kind = SamplerKind::Cached, double temperature = 1.0)
{
    StripRequest r;
    r.a = a;
    r.b = b;
    r.steps = steps;
    r.rows = rows;
    r.seed = seed;
    r.coherent = coherent;
    r.sampler = kind;
    r.temperature = temperature;
    return r;
}

torch::Tensor sampleOne(PixelCNN& model, const torch::Tensor& weights /* [1, classes] */, std::uint64_t seed,
                        bool shared, SamplerKind kind, double temperature)
{
    SampleRequest r;
    r.weights = weights;
    r.seed = seed;
    r.sharedNoise = shared;
    r.temperature = temperature;
    return sample(model, r, kind);
}

torch::Tensor oneHotRow(int k, int classes)
{
    return torch::eye(classes).select(0, k).unsqueeze(0);
}
}  // namespace

class TestContinuum : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void weights_data();
    void weights();
    void rejectsBadWeights_data();
    void rejectsBadWeights();
    void sharedAndIndependentNoiseCoincideForOneImage();
    void coherentRowEndsAreOneHotSamples_data();
    void coherentRowEndsAreOneHotSamples();
    void identicalWeightsGiveIdenticalImages_data();
    void identicalWeightsGiveIdenticalImages();
    void rowIgnoringTheWeightsIsOneImage_data();
    void rowIgnoringTheWeightsIsOneImage();
    void independentRowsDiffer();
    void posteriorAndBitsPerDim_data();
    void posteriorAndBitsPerDim();
    void cancelStopsEarly();
    void parsePairs_data();
    void parsePairs();
    void plotPosterior_data();
    void plotPosterior();
};

void TestContinuum::weights_data()
{
    QTest::addColumn<int>("a");
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("steps");
    QTest::newRow("1-7, 2 steps") << 1 << 7 << 2;
    QTest::newRow("1-7, 5 steps") << 1 << 7 << 5;
    QTest::newRow("4-9, 11 steps") << 4 << 9 << 11;
    QTest::newRow("9-4, 11 steps (a > b)") << 9 << 4 << 11;
    QTest::newRow("8-3, 5 steps (a > b)") << 8 << 3 << 5;
    QTest::newRow("0-9, 2 steps") << 0 << 9 << 2;
}

void TestContinuum::weights()
{
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, steps);
    const auto w = continuumWeights(a, b, steps, 10);
    QCOMPARE(w.sizes().vec(), (std::vector<int64_t>{steps, 10}));
    QCOMPARE(w.scalar_type(), torch::kFloat32);
    for (int k = 0; k < steps; ++k) {
        const double toB = double(k) / (steps - 1);
        QCOMPARE(w[k][b].item<float>(), float(toB));
        QCOMPARE(w[k][a].item<float>(), float(1.0 - toB));
        QVERIFY(std::abs(w[k].sum().item<double>() - 1.0) < 1e-6);
        for (int other = 0; other < 10; ++other)
            if (other != a && other != b)
                QCOMPARE(w[k][other].item<float>(), 0.0f);
    }
    QVERIFY(torch::equal(w[0], oneHotRow(a, 10)[0]));  // 100% a exactly
    QVERIFY(torch::equal(w[steps - 1], oneHotRow(b, 10)[0]));  // 100% b exactly
    if (steps % 2 == 1)
        QCOMPARE(w[steps / 2][a].item<float>(), 0.5f);
}

void TestContinuum::rejectsBadWeights_data()
{
    QTest::addColumn<int>("a");
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("steps");
    QTest::newRow("same class") << 4 << 4 << 11;
    QTest::newRow("one step") << 4 << 9 << 1;
    QTest::newRow("class 10 of 10") << 4 << 10 << 11;
    QTest::newRow("negative class") << -1 << 9 << 11;
}

void TestContinuum::rejectsBadWeights()
{
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, steps);
    QVERIFY_THROWS_EXCEPTION(Error, continuumWeights(a, b, steps, 10));
    auto model = randomModel(1);
    QVERIFY_THROWS_EXCEPTION(Error, sampleStrip(model, stripRequest(a, b, steps, 1, 1, true)));
}

void TestContinuum::sharedAndIndependentNoiseCoincideForOneImage()
{
    // What makes a coherent row's ends equal to plain one-hot samples: for a single image, shared
    // noise and independent noise are the same uniforms.
    for (const std::uint64_t seed : {0ull, 1ull, 77ull}) {
        SampleRequest r;
        r.weights = oneHotRow(3, 10);
        r.seed = seed;
        r.sharedNoise = true;
        const auto shared = sampleUniforms(r, 10, 10);
        r.sharedNoise = false;
        QVERIFY(torch::equal(shared, sampleUniforms(r, 10, 10)));
        // And a shared batch repeats that one image's uniforms.
        r.weights = continuumWeights(3, 5, 4, 10);
        r.sharedNoise = true;
        const auto batch = sampleUniforms(r, 10, 10);
        for (int k = 0; k < 4; ++k)
            QVERIFY(torch::equal(batch[k], shared[0]));
    }
}

void TestContinuum::coherentRowEndsAreOneHotSamples_data()
{
    QTest::addColumn<SamplerKind>("kind");
    QTest::addColumn<double>("temperature");
    QTest::addColumn<int>("a");
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("steps");
    QTest::newRow("cached, T=1, 1-7, 11 steps") << SamplerKind::Cached << 1.0 << 1 << 7 << 11;
    QTest::newRow("cached, T=0.7, 9-4, 5 steps") << SamplerKind::Cached << 0.7 << 9 << 4 << 5;
    QTest::newRow("cached, T=1, 3-8, 2 steps") << SamplerKind::Cached << 1.0 << 3 << 8 << 2;
    QTest::newRow("naive, T=1, 5-6, 5 steps") << SamplerKind::Naive << 1.0 << 5 << 6 << 5;
}

void TestContinuum::coherentRowEndsAreOneHotSamples()
{
    QFETCH(SamplerKind, kind);
    QFETCH(double, temperature);
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, steps);
    auto model = randomModel(2);
    const int rows = 3;
    const std::uint64_t seed = 40;
    const Strip strip = sampleStrip(model, stripRequest(a, b, steps, rows, seed, true, kind, temperature));
    QVERIFY(strip.complete);
    QCOMPARE(strip.levels.sizes().vec(), (std::vector<int64_t>{rows * steps, 10, 10}));
    for (int r = 0; r < rows; ++r) {
        // Weights 1-0: the one-hot sample of a with the row's seed, with shared or independent noise.
        for (const bool shared : {true, false}) {
            QVERIFY2(torch::equal(strip.levels[r * steps], sampleOne(model, oneHotRow(a, 10), seed + r, shared, kind,
                                                                     temperature)[0]),
                     qPrintable(QStringLiteral("row %1, first image, shared %2").arg(r).arg(shared)));
            QVERIFY2(torch::equal(strip.levels[r * steps + steps - 1],
                                  sampleOne(model, oneHotRow(b, 10), seed + r, shared, kind, temperature)[0]),
                     qPrintable(QStringLiteral("row %1, last image, shared %2").arg(r).arg(shared)));
        }
    }
    // Rows differ from each other (different seeds).
    QVERIFY(!torch::equal(strip.levels[0], strip.levels[steps]));
}

void TestContinuum::identicalWeightsGiveIdenticalImages_data()
{
    QTest::addColumn<SamplerKind>("kind");
    QTest::addColumn<int>("step");
    QTest::newRow("cached, 1-0") << SamplerKind::Cached << 0;
    QTest::newRow("cached, 0.7-0.3") << SamplerKind::Cached << 3;
    QTest::newRow("cached, 0.5-0.5") << SamplerKind::Cached << 5;
    QTest::newRow("cached, 0-1") << SamplerKind::Cached << 10;
    QTest::newRow("naive, 0.5-0.5") << SamplerKind::Naive << 5;
}

void TestContinuum::identicalWeightsGiveIdenticalImages()
{
    // A row of one weight vector repeated, with the shared noise of a coherent row: every image is
    // the same, and it is the strip's image at that weight.
    QFETCH(SamplerKind, kind);
    QFETCH(int, step);
    auto model = randomModel(3);
    const Strip strip = sampleStrip(model, stripRequest(4, 9, 11, 1, 12, true, kind));
    SampleRequest same;
    same.weights = strip.weights.narrow(0, step, 1).repeat({4, 1});
    same.seed = 12;
    same.sharedNoise = true;
    const auto images = sample(model, same, kind);
    for (int i = 0; i < 4; ++i)
        QVERIFY2(torch::equal(images[i], strip.levels[step]), qPrintable(QStringLiteral("image %1").arg(i)));
}

void TestContinuum::rowIgnoringTheWeightsIsOneImage_data()
{
    QTest::addColumn<bool>("coherent");
    QTest::newRow("coherent: one image repeated") << true;
    QTest::newRow("independent: images differ") << false;
}

void TestContinuum::rowIgnoringTheWeightsIsOneImage()
{
    // With its class conditioning switched off, the model gives every step of a row the same
    // distribution: coherent noise then draws the same image at every step, independent noise not.
    QFETCH(bool, coherent);
    auto model = randomModel(4);
    {
        torch::NoGradGuard noGrad;
        model->spatialMaps.zero_();
        for (auto& layer : model->gatedLayers) {
            layer->conditionVertical->weight.zero_();
            layer->conditionHorizontal->weight.zero_();
        }
    }
    const int steps = 6;
    const Strip strip = sampleStrip(model, stripRequest(2, 6, steps, 2, 5, coherent));
    for (int r = 0; r < 2; ++r) {
        int same = 0;
        for (int k = 1; k < steps; ++k)
            same += torch::equal(strip.levels[r * steps + k], strip.levels[r * steps]) ? 1 : 0;
        QCOMPARE(same, coherent ? steps - 1 : 0);
    }
}

void TestContinuum::independentRowsDiffer()
{
    auto model = randomModel(5);
    const int steps = 5;
    const Strip coherent = sampleStrip(model, stripRequest(1, 7, steps, 2, 9, true));
    const Strip independent = sampleStrip(model, stripRequest(1, 7, steps, 2, 9, false));
    QVERIFY(!independent.request.coherent);
    // The first image of a row draws the same uniforms either way; the others do not.
    for (int r = 0; r < 2; ++r) {
        QVERIFY(torch::equal(independent.levels[r * steps], coherent.levels[r * steps]));
        for (int k = 1; k < steps; ++k)
            QVERIFY2(!torch::equal(independent.levels[r * steps + k], coherent.levels[r * steps + k]),
                     qPrintable(QStringLiteral("row %1 step %2").arg(r).arg(k)));
    }
    // And independent draws are repeatable for a seed.
    QVERIFY(torch::equal(independent.levels, sampleStrip(model, stripRequest(1, 7, steps, 2, 9, false)).levels));
}

void TestContinuum::posteriorAndBitsPerDim_data()
{
    QTest::addColumn<bool>("coherent");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("steps");
    QTest::newRow("coherent, 3 x 5") << true << 3 << 5;
    QTest::newRow("independent, 2 x 4") << false << 2 << 4;
    QTest::newRow("coherent, 1 x 11") << true << 1 << 11;
}

void TestContinuum::posteriorAndBitsPerDim()
{
    QFETCH(bool, coherent);
    QFETCH(int, rows);
    QFETCH(int, steps);
    auto model = randomModel(6);
    const Strip strip = sampleStrip(model, stripRequest(3, 8, steps, rows, 21, coherent));
    const int n = rows * steps;
    QCOMPARE(strip.posterior.sizes().vec(), (std::vector<int64_t>{n, 10}));
    QCOMPARE(strip.posterior.scalar_type(), torch::kFloat64);
    const auto sums = strip.posterior.sum(1);
    for (int i = 0; i < n; ++i)
        QVERIFY2(std::abs(sums[i].item<double>() - 1.0) <= 1e-9, qPrintable(QString::number(sums[i].item<double>(), 'g', 17)));
    QVERIFY(strip.posterior.ge(0).all().item<bool>());
    // The posterior is Bayes' rule over classLogLikelihoods.
    QVERIFY(torch::allclose(strip.posterior, classPosterior(classLogLikelihoods(model, strip.levels)), 0, 1e-12));
    // Bits/dim of each image under the weights it was drawn with.
    QCOMPARE(strip.bitsPerDim.sizes().vec(), (std::vector<int64_t>{n}));
    const auto expected = imageBitsPerDim(model, strip.levels, strip.weights.repeat({rows, 1})).to(torch::kFloat64);
    QVERIFY(torch::allclose(strip.bitsPerDim, expected, 1e-5, 1e-6));
    QVERIFY(strip.bitsPerDim.gt(0).all().item<bool>());

    // The curves: per-row values and their means.
    const auto curves = stripCurves(strip);
    QCOMPARE(int(curves.weightOfB.size()), steps);
    QCOMPARE(int(curves.rowA.size()), rows);
    QCOMPARE(curves.weightOfB.front(), 0.0);
    QCOMPARE(curves.weightOfB.back(), 1.0);
    for (int k = 0; k < steps; ++k) {
        double a = 0, b = 0, bits = 0;
        for (int r = 0; r < rows; ++r) {
            QCOMPARE(curves.rowA[r][k], strip.posterior[r * steps + k][3].item<double>());
            QCOMPARE(curves.rowB[r][k], strip.posterior[r * steps + k][8].item<double>());
            a += curves.rowA[r][k];
            b += curves.rowB[r][k];
            bits += curves.rowBits[r][k];
        }
        QVERIFY(std::abs(curves.meanA[k] - a / rows) < 1e-12);
        QVERIFY(std::abs(curves.meanB[k] - b / rows) < 1e-12);
        QVERIFY(std::abs(curves.meanBits[k] - bits / rows) < 1e-12);
    }
}

void TestContinuum::cancelStopsEarly()
{
    auto model = randomModel(7);
    int calls = 0;
    int lastRow = -1;
    const Strip strip = sampleStrip(model, stripRequest(1, 7, 4, 3, 1, true), [&](int stripRow, int, int, const torch::Tensor& levels) {
        lastRow = stripRow;
        if (levels.size(0) != 4)
            return false;
        return ++calls < 100 + 10;  // one row of 100 pixels, then 10 of the next
    });
    QVERIFY(!strip.complete);
    QCOMPARE(lastRow, 1);
    QCOMPARE(calls, 110);
    QVERIFY(!strip.posterior.defined());
    QVERIFY_THROWS_EXCEPTION(Error, stripCurves(strip));
}

void TestContinuum::parsePairs_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<int>>("expected");  // a, b, a, b, ...; empty: Error
    QTest::newRow("study pairs") << "1-7,3-8,4-9,5-6" << QList<int>{1, 7, 3, 8, 4, 9, 5, 6};
    QTest::newRow("spaces, a > b") << " 9 - 4 , 0-1" << QList<int>{9, 4, 0, 1};
    QTest::newRow("same class") << "4-4" << QList<int>{};
    QTest::newRow("class 10") << "1-10" << QList<int>{};
    QTest::newRow("not a pair") << "1-7-3" << QList<int>{};
    QTest::newRow("letters") << "a-b" << QList<int>{};
    QTest::newRow("empty") << "" << QList<int>{};
}

void TestContinuum::parsePairs()
{
    QFETCH(QString, text);
    QFETCH(QList<int>, expected);
    if (expected.isEmpty()) {
        QVERIFY_THROWS_EXCEPTION(Error, pixelmix::parsePairs(text, 10));
        return;
    }
    const auto pairs = pixelmix::parsePairs(text, 10);
    QCOMPARE(int(pairs.size()) * 2, int(expected.size()));
    for (size_t i = 0; i < pairs.size(); ++i) {
        QCOMPARE(pairs[i].first, expected[int(2 * i)]);
        QCOMPARE(pairs[i].second, expected[int(2 * i + 1)]);
    }
    QCOMPARE(pairName(4, 9), QStringLiteral("4-9"));
}

void TestContinuum::plotPosterior_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<QSize>("size");
    QTest::newRow("4 rows, default size") << 4 << QSize();
    QTest::newRow("1 row, small") << 1 << QSize(400, 300);
}

void TestContinuum::plotPosterior()
{
    QFETCH(int, rows);
    QFETCH(QSize, size);
    auto model = randomModel(8);
    const auto curves = stripCurves(sampleStrip(model, stripRequest(4, 9, 11, rows, 3, true)));
    PosteriorPlotOptions options;
    if (size.isValid())
        options.size = size;
    const QImage image = pixelmix::plotPosterior(curves, options);
    QCOMPARE(image.size(), options.size);
    // Something is drawn in the curves' colours (blue for a, orange for b) on a white page.
    int blue = 0, orange = 0, white = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            blue += c == QColor(31, 119, 180);
            orange += c == QColor(255, 127, 14);
            white += c == QColor(Qt::white);
        }
    QVERIFY(blue > 20);
    QVERIFY(orange > 20);
    QVERIFY(white > image.width() * image.height() / 2);
}

QTEST_MAIN(TestContinuum)
#include "tst_continuum.moc"
