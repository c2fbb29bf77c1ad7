// IDX reading and writing: good files raw and gzip'd, and every kind of broken file giving an
// Error that names the file and the problem. Fixtures: tests/data/idx (see make_fixtures.py).
#include "error.h"
#include "idx.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace pixelmix;

namespace {

QString fixture(const QString& name)
{
    return QStringLiteral(PIXELMIX_TEST_DATA "/idx/") + name;
}

// The pattern make_fixtures.py writes.
quint8 patternByte(int image, int row, int col)
{
    return quint8((31 * image + 7 * row + 3 * col) % 256);
}

}  // namespace

class TestIdx : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsGoodImages_data();
    void readsGoodImages();
    void readsGoodLabels_data();
    void readsGoodLabels();
    void rejectsBrokenImages_data();
    void rejectsBrokenImages();
    void rejectsBrokenLabels_data();
    void rejectsBrokenLabels();
    void checkPairRejectsCountMismatch();
    void roundTrip();
    void writerRejectsInconsistentImages();
};

void TestIdx::readsGoodImages_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("raw") << "good-images-idx3-ubyte";
    QTest::newRow("gzip") << "good-images-idx3-ubyte.gz";
    QTest::newRow("gzip named like raw") << "gzip-without-suffix-images-idx3-ubyte";
    QTest::newRow("two gzip members") << "two-members-images-idx3-ubyte.gz";
}

void TestIdx::readsGoodImages()
{
    QFETCH(QString, file);
    const IdxImages images = readIdxImages(fixture(file));
    QCOMPARE(images.count, 3);
    QCOMPARE(images.rows, 28);
    QCOMPARE(images.cols, 28);
    QCOMPARE(images.pixels.size(), 3 * 28 * 28);
    const auto* pixels = reinterpret_cast<const quint8*>(images.pixels.constData());
    for (int i = 0; i < 3; ++i)
        for (int r = 0; r < 28; ++r)
            for (int c = 0; c < 28; ++c)
                QCOMPARE(pixels[(i * 28 + r) * 28 + c], patternByte(i, r, c));
}

void TestIdx::readsGoodLabels_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("raw") << "good-labels-idx1-ubyte";
    QTest::newRow("gzip") << "good-labels-idx1-ubyte.gz";
}

void TestIdx::readsGoodLabels()
{
    QFETCH(QString, file);
    const IdxLabels labels = readIdxLabels(fixture(file));
    QCOMPARE(labels.count(), 3);
    QCOMPARE(labels.labels, QByteArray("\x07\x00\x09", 3));
    checkPair(readIdxImages(fixture("good-images-idx3-ubyte")), labels, "images", "labels");
}

void TestIdx::rejectsBrokenImages_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("bad magic") << "bad-magic-images-idx3-ubyte"
                               << "not an IDX image file: magic number 0x00000804, expected 0x00000803";
    QTest::newRow("label file as images") << "good-labels-idx1-ubyte" << "magic number 0x00000801";
    QTest::newRow("short header") << "short-header-images-idx3-ubyte" << "too short for an IDX image header";
    QTest::newRow("missing file") << "no-such-images-idx3-ubyte" << "cannot open";
    QTest::newRow("zero count") << "zero-count-images-idx3-ubyte" << "implausible header: 0 images";
    QTest::newRow("truncated") << "truncated-images-idx3-ubyte"
                               << "truncated: header claims 3 images of 28x28 (2352 bytes) but the file holds 2000";
    QTest::newRow("truncated gz") << "truncated-images-idx3-ubyte.gz"
                                  << "truncated: header claims 3 images of 28x28 (2352 bytes) but the file holds 2000 (decompressed)";
    QTest::newRow("trailing") << "trailing-images-idx3-ubyte"
                              << "trailing data: header claims 3 images of 28x28 (2352 bytes) but the file holds more";
    QTest::newRow("trailing gz") << "trailing-images-idx3-ubyte.gz" << "trailing data";
    QTest::newRow("2^31 images") << "huge-count-images-idx3-ubyte" << "implausible header: 2147483648 images";
    QTest::newRow("2^31 images gz") << "huge-count-images-idx3-ubyte.gz" << "implausible header: 2147483648 images";
    QTest::newRow("2^31-1 images") << "huge-claim-images-idx3-ubyte"
                                   << "truncated: header claims 2147483647 images of 28x28 (1683627179248 bytes) but the file holds 84";
    QTest::newRow("2^31-1 images gz") << "huge-claim-images-idx3-ubyte.gz"
                                      << "but the file holds 84 (decompressed)";
    QTest::newRow("huge dims") << "huge-dims-images-idx3-ubyte" << "implausible header: 1 images of 65536x65536";
    QTest::newRow("huge dims gz") << "huge-dims-images-idx3-ubyte.gz" << "implausible header: 1 images of 65536x65536";
    QTest::newRow("gzip bomb") << "bomb-images-idx3-ubyte.gz"
                               << "trailing data: header claims 1 images of 28x28 (784 bytes) but the file holds more";
    QTest::newRow("gzip bomb under a huge claim") << "lying-bomb-images-idx3-ubyte.gz"
                                                  << "implausible gzip data: it inflates to more than 100 times";
    QTest::newRow("cut gzip") << "truncated-gzip-images-idx3-ubyte.gz" << "truncated gzip data";
    QTest::newRow("corrupt gzip") << "corrupt-gzip-images-idx3-ubyte.gz" << "corrupt gzip data";
}

void TestIdx::rejectsBrokenImages()
{
    QFETCH(QString, file);
    QFETCH(QString, phrase);
    try {
        readIdxImages(fixture(file));
        QFAIL("no error");
    } catch (const Error& error) {
        QVERIFY2(error.message().startsWith(fixture(file) + ": "), qPrintable(error.message()));
        QVERIFY2(error.message().contains(phrase), qPrintable(error.message()));
    }
}

void TestIdx::rejectsBrokenLabels_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("bad magic") << "bad-magic-labels-idx1-ubyte"
                               << "not an IDX label file: magic number 0x00000803, expected 0x00000801";
    QTest::newRow("image file as labels") << "good-images-idx3-ubyte" << "magic number 0x00000803";
    QTest::newRow("truncated") << "truncated-labels-idx1-ubyte"
                               << "truncated: header claims 5 labels but the file holds 2";
    QTest::newRow("trailing") << "trailing-labels-idx1-ubyte"
                              << "trailing data: header claims 3 labels but the file holds more";
    QTest::newRow("label out of range") << "bad-label-labels-idx1-ubyte" << "label 12 at index 2 is outside 0..9";
    QTest::newRow("2^32-1 labels") << "huge-count-labels-idx1-ubyte" << "implausible header: 4294967295 labels";
    QTest::newRow("2^32-1 labels gz") << "huge-count-labels-idx1-ubyte.gz" << "implausible header: 4294967295 labels";
}

void TestIdx::rejectsBrokenLabels()
{
    QFETCH(QString, file);
    QFETCH(QString, phrase);
    try {
        readIdxLabels(fixture(file));
        QFAIL("no error");
    } catch (const Error& error) {
        QVERIFY2(error.message().startsWith(fixture(file) + ": "), qPrintable(error.message()));
        QVERIFY2(error.message().contains(phrase), qPrintable(error.message()));
    }
}

void TestIdx::checkPairRejectsCountMismatch()
{
    const QString imagesPath = fixture("good-images-idx3-ubyte");
    const QString labelsPath = fixture("mismatch-labels-idx1-ubyte");
    try {
        checkPair(readIdxImages(imagesPath), readIdxLabels(labelsPath), imagesPath, labelsPath);
        QFAIL("no error");
    } catch (const Error& error) {
        QVERIFY2(error.message().contains(imagesPath + " holds 3 images but " + labelsPath + " holds 2 labels"),
                 qPrintable(error.message()));
    }
}

void TestIdx::roundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    IdxImages images;
    images.count = 2;
    images.rows = 3;
    images.cols = 5;
    for (int i = 0; i < 2 * 3 * 5; ++i)
        images.pixels.append(char(i * 8));
    IdxLabels labels;
    labels.labels = QByteArray("\x04\x09", 2);

    const QString imagesPath = dir.filePath("images");
    const QString labelsPath = dir.filePath("labels");
    writeIdxImages(imagesPath, images);
    writeIdxLabels(labelsPath, labels);

    QFile raw(imagesPath);
    QVERIFY(raw.open(QIODevice::ReadOnly));
    QCOMPARE(raw.readAll().left(16), QByteArray("\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\x05", 16));
    QCOMPARE(raw.size(), 16 + 30);

    const IdxImages imagesBack = readIdxImages(imagesPath);
    QCOMPARE(imagesBack.count, 2);
    QCOMPARE(imagesBack.rows, 3);
    QCOMPARE(imagesBack.cols, 5);
    QCOMPARE(imagesBack.pixels, images.pixels);
    QCOMPARE(readIdxLabels(labelsPath).labels, labels.labels);
}

void TestIdx::writerRejectsInconsistentImages()
{
    QTemporaryDir dir;
    IdxImages images;
    images.count = 2;
    images.rows = 3;
    images.cols = 5;
    images.pixels = QByteArray(29, '\0');
    const QString path = dir.filePath("images");
    QVERIFY_THROWS_EXCEPTION(Error, writeIdxImages(path, images));
    QVERIFY(!QFile::exists(path));
}

QTEST_GUILESS_MAIN(TestIdx)
#include "tst_idx.moc"
