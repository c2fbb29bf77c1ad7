// The model is proven causal, conditioned and correctly normalised, in eval and train mode.
#include "likelihood.h"
#include "pixelcnn.h"
#include "tst_small_model.h"

#include <QtTest>
#include <cmath>

using namespace pixelmix;

namespace {
ModelConfig smallConfig(int kernel, int layers, int levels, int spatial, int size, double dropout = 0.0)
{
    auto c = test::configWith(8, layers, kernel, levels, spatial, size);
    c.dropout = dropout;
    return c;
}

torch::Tensor randomLevels(const ModelConfig& c, int batch, std::uint64_t seed)
{
    auto generator = at::detail::createCPUGenerator(seed);
    return torch::randint(0, c.levels, {batch, c.height, c.width}, generator, torch::kLong).to(torch::kUInt8);
}

torch::Tensor softWeights(int batch, int classes)
{
    auto w = torch::rand({batch, classes});
    return w / w.sum(1, true);
}

// Runs the model; in train mode the dropout masks are drawn from the same seed every time, so two
// runs differ only through their inputs.
torch::Tensor logitsOf(PixelCNN& model, const torch::Tensor& levels, const torch::Tensor& weights)
{
    torch::manual_seed(42);
    return model->forward(levels, weights);
}
}  // namespace

class TestPixelCNN : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void perturbingLaterPixelsLeavesEarlierLogitsBitIdentical_data();
    void perturbingLaterPixelsLeavesEarlierLogitsBitIdentical();
    void gradientWrtCurrentAndLaterInputsIsExactlyZero_data();
    void gradientWrtCurrentAndLaterInputsIsExactlyZero();
    void noBlindSpot_data();
    void noBlindSpot();
    void conditioningChangesLogits_data();
    void conditioningChangesLogits();
    void uniformLogitsGiveLog2KBitsPerDim_data();
    void uniformLogitsGiveLog2KBitsPerDim();
    void outputShape();
};

void addCausalityRows()
{
    QTest::addColumn<int>("kernel");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("levels");
    QTest::addColumn<int>("spatial");
    QTest::addColumn<bool>("trainMode");
    QTest::newRow("3x3, 1 layer, eval") << 3 << 1 << 4 << 8 << false;
    QTest::newRow("3x3, 3 layers, eval") << 3 << 3 << 4 << 8 << false;
    QTest::newRow("5x5, 4 layers, eval") << 5 << 4 << 4 << 8 << false;
    QTest::newRow("5x5, 4 layers, train+dropout") << 5 << 4 << 4 << 8 << true;
    QTest::newRow("7x7, 2 layers, 256 levels, train") << 7 << 2 << 256 << 4 << true;
    QTest::newRow("3x3, 2 layers, no spatial map, train") << 3 << 2 << 2 << 0 << true;
}

void TestPixelCNN::perturbingLaterPixelsLeavesEarlierLogitsBitIdentical_data() { addCausalityRows(); }

void TestPixelCNN::perturbingLaterPixelsLeavesEarlierLogitsBitIdentical()
{
    QFETCH(int, kernel);
    QFETCH(int, layers);
    QFETCH(int, levels);
    QFETCH(int, spatial);
    QFETCH(bool, trainMode);
    const auto c = smallConfig(kernel, layers, levels, spatial, 7, trainMode ? 0.3 : 0.0);
    PixelCNN model(c);
    model->train(trainMode);
    torch::NoGradGuard noGrad;
    const auto levelsIn = randomLevels(c, 2, 7);
    const auto weights = softWeights(2, c.classes);
    const auto reference = logitsOf(model, levelsIn, weights);  // [B, K, H, W]
    for (int p = 0; p < c.height * c.width; ++p) {
        auto perturbed = levelsIn.clone();
        const int row = p / c.width, col = p % c.width;
        perturbed.select(1, row).select(1, col).fill_((levelsIn[0][row][col].item<int>() + 1) % c.levels);
        const auto logits = logitsOf(model, perturbed, weights);
        for (int q = 0; q <= p; ++q) {  // the pixel itself and every earlier one
            auto before = reference.select(2, q / c.width).select(2, q % c.width);
            auto after = logits.select(2, q / c.width).select(2, q % c.width);
            if (!torch::equal(before, after))
                QFAIL(qPrintable(QStringLiteral("changing pixel %1 changed the logits of pixel %2").arg(p).arg(q)));
        }
    }
}

void TestPixelCNN::gradientWrtCurrentAndLaterInputsIsExactlyZero_data() { addCausalityRows(); }

void TestPixelCNN::gradientWrtCurrentAndLaterInputsIsExactlyZero()
{
    QFETCH(int, kernel);
    QFETCH(int, layers);
    QFETCH(int, levels);
    QFETCH(int, spatial);
    QFETCH(bool, trainMode);
    const auto c = smallConfig(kernel, layers, levels, spatial, 7, trainMode ? 0.3 : 0.0);
    PixelCNN model(c);
    model->train(trainMode);
    const auto weights = softWeights(1, c.classes);
    for (int p = 0; p < c.height * c.width; ++p) {
        auto x = model->scaleInput(randomLevels(c, 1, 11)).requires_grad_(true);  // [1, 1, H, W]
        torch::manual_seed(42);
        auto logits = model->forwardInput(x, weights);
        logits.select(3, p % c.width).select(2, p / c.width).sum().backward();
        const auto grad = x.grad().flatten();  // raster order
        const auto atOrAfter = grad.narrow(0, p, grad.numel() - p);
        QVERIFY2(torch::equal(atOrAfter, torch::zeros_like(atOrAfter)),
                 qPrintable(QStringLiteral("output %1 has a gradient wrt inputs at or after it").arg(p)));
    }
}

void TestPixelCNN::noBlindSpot_data()
{
    QTest::addColumn<int>("kernel");
    QTest::addColumn<int>("layers");
    QTest::newRow("3x3, 2 layers") << 3 << 2;
    QTest::newRow("3x3, 4 layers") << 3 << 4;
    QTest::newRow("default 5x5, 6 layers") << ModelConfig().kernel << ModelConfig().layers;
}

void TestPixelCNN::noBlindSpot()
{
    QFETCH(int, kernel);
    QFETCH(int, layers);
    // The original single-stack PixelCNN cannot see up-right pixels such as (2, 5) from (3, 3).
    const auto c = smallConfig(kernel, layers, 4, 8, 7);
    PixelCNN model(c);
    model->eval();
    auto x = model->scaleInput(randomLevels(c, 1, 3)).requires_grad_(true);
    auto logits = model->forwardInput(x, softWeights(1, c.classes));
    logits.select(3, 3).select(2, 3).sum().backward();
    QVERIFY(x.grad()[0][0][2][5].item<float>() != 0.0f);
    QVERIFY(x.grad()[0][0][3][2].item<float>() != 0.0f);  // left neighbour
    QVERIFY(x.grad()[0][0][2][3].item<float>() != 0.0f);  // above
}

void TestPixelCNN::conditioningChangesLogits_data()
{
    QTest::addColumn<bool>("onlySpatial");
    QTest::newRow("both terms") << false;
    QTest::newRow("location-dependent term alone") << true;
}

void TestPixelCNN::conditioningChangesLogits()
{
    QFETCH(bool, onlySpatial);
    auto c = smallConfig(3, 2, 4, 8, 7);
    PixelCNN model(c);
    model->eval();
    torch::NoGradGuard noGrad;
    if (onlySpatial)
        for (auto& layer : model->gatedLayers) {
            layer->conditionVertical->weight.zero_();
            layer->conditionHorizontal->weight.zero_();
        }
    const auto levels = randomLevels(c, 1, 5).repeat({3, 1, 1});
    auto weights = torch::zeros({3, c.classes});
    weights[0][4] = 1.0;
    weights[1][9] = 1.0;
    weights[2][4] = 0.7;
    weights[2][9] = 0.3;
    const auto logits = model->forward(levels, weights);
    QVERIFY((logits[0] - logits[1]).abs().max().item<float>() > 1e-4f);
    QVERIFY((logits[0] - logits[2]).abs().max().item<float>() > 1e-5f);
    QVERIFY((logits[1] - logits[2]).abs().max().item<float>() > 1e-5f);
}

void TestPixelCNN::uniformLogitsGiveLog2KBitsPerDim_data()
{
    QTest::addColumn<int>("levels");
    for (int k : {2, 4, 16, 256})
        QTest::newRow(qPrintable(QStringLiteral("K=%1").arg(k))) << k;
}

void TestPixelCNN::uniformLogitsGiveLog2KBitsPerDim()
{
    QFETCH(int, levels);
    const auto target = torch::randint(0, levels, {3, 28, 28}, torch::kLong);
    const auto logits = torch::zeros({3, levels, 28, 28});
    const double bits = natsToBitsPerDim(natsPerPixel(logits, target).item<double>());
    QVERIFY2(std::abs(bits - std::log2(double(levels))) < 1e-6, qPrintable(QString::number(bits)));
}

void TestPixelCNN::outputShape()
{
    ModelConfig c;
    PixelCNN model(c);
    torch::NoGradGuard noGrad;
    const auto logits = model->forward(torch::zeros({2, 28, 28}, torch::kUInt8), softWeights(2, 10));
    QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{2, c.levels, 28, 28}));
}

QTEST_GUILESS_MAIN(TestPixelCNN)
#include "tst_pixelcnn.moc"
