// The sample canvas on its own, fed by hand: it draws only its current request (stale ids are
// dropped), reveals pixels at the pacing rate but shows the first rows at once, never holds a
// finished result back longer than the pacing, and saves in make_grid layout.
#include "sample_canvas.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

using namespace pixelmix::ui;

namespace {
// count images whose every pixel up to `pixels` has the given level.
LevelsBlock block(int count, int pixels, int level)
{
    LevelsBlock b;
    b.count = count;
    b.height = b.width = 28;
    b.levels = 4;
    b.data = QByteArray(count * 784, char(0));
    for (int i = 0; i < count; ++i)
        for (int p = 0; p < pixels; ++p)
            b.data[i * 784 + p] = char(level);
    return b;
}
}  // namespace

class TestSampleCanvas : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dropsStaleIds();
    void revealsAtThePacingRate();
    void withoutPacingDrawsAtOnce();
    void gridSize_data();
    void gridSize();
    void rangeShowsPartOfTheRequest();
};

void TestSampleCanvas::dropsStaleIds()
{
    SampleCanvas canvas;
    canvas.setPacing(0);
    canvas.begin(1, 3);
    canvas.begin(2, 3);
    QVERIFY(!canvas.updateProgress(1, 5, 0, block(3, 5 * 28 + 1, 3)));
    QVERIFY(!canvas.finish(1, block(3, 784, 3), {}));
    QCOMPARE(canvas.staleDropped(), 2);
    QCOMPARE(canvas.availablePixels(), 0);
    QVERIFY(canvas.updateProgress(2, 0, 27, block(3, 28, 1)));
    QCOMPARE(canvas.revealedPixels(), 28);
    QVERIFY(canvas.finish(2, block(3, 784, 2), {}));
    QVERIFY(canvas.isComplete());
    QCOMPARE(canvas.levels().data, block(3, 784, 2).data);
    // A late progress report of the finished request changes nothing.
    QVERIFY(!canvas.updateProgress(2, 3, 3, block(3, 100, 1)));
    QCOMPARE(canvas.levels().data, block(3, 784, 2).data);
}

void TestSampleCanvas::revealsAtThePacingRate()
{
    SampleCanvas canvas;
    canvas.resize(400, 100);
    canvas.show();
    canvas.setPacing(400);
    QSignalSpy progress(&canvas, &SampleCanvas::progressChanged);
    QSignalSpy completed(&canvas, &SampleCanvas::completed);
    QElapsedTimer clock;
    clock.start();
    canvas.begin(7, 2);
    // The sampler is faster than the eye: everything arrives at once.
    QVERIFY(canvas.updateProgress(7, 27, 27, block(2, 784, 3)));
    QVERIFY(canvas.finish(7, block(2, 784, 3), {}));
    // The first rows are on screen within 50 ms, but not the whole image.
    QVERIFY(QTest::qWaitFor([&] { return canvas.revealedPixels() >= 28; }, 50));
    QVERIFY(canvas.revealedPixels() < 784);
    QVERIFY(!canvas.isComplete());
    // ... and all of it within the pacing (plus a frame or two of timer slack).
    QVERIFY(completed.wait(1000));
    const qint64 ms = clock.elapsed();
    QVERIFY2(ms >= 300 && ms <= 400 + 150, qPrintable(QStringLiteral("%1 ms").arg(ms)));
    QCOMPARE(completed.at(0).at(0).value<quint64>(), quint64(7));
    QVERIFY(progress.count() >= 10);  // many intermediate steps: it visibly fills
    int previous = -1;
    for (const auto& args : progress) {
        QVERIFY(args.at(0).toInt() >= previous);
        previous = args.at(0).toInt();
    }
    QCOMPARE(previous, 784);
}

void TestSampleCanvas::withoutPacingDrawsAtOnce()
{
    SampleCanvas canvas;
    canvas.setPacing(0);
    canvas.begin(3, 1);
    canvas.updateProgress(3, 9, 13, block(1, 9 * 28 + 14, 2));
    QCOMPARE(canvas.revealedPixels(), 9 * 28 + 14);
    QCOMPARE(canvas.availablePixels(), 9 * 28 + 14);
}

void TestSampleCanvas::gridSize_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("perRow");
    QTest::addColumn<QSize>("size");
    QTest::newRow("strip of 11") << 11 << 0 << QSize(11 * 30 + 2, 32);
    QTest::newRow("one") << 1 << 0 << QSize(32, 32);
    QTest::newRow("20 at 16 a row") << 20 << 16 << QSize(16 * 30 + 2, 2 * 30 + 2);
    QTest::newRow("50 at 10 a row") << 50 << 10 << QSize(302, 152);
}

void TestSampleCanvas::gridSize()
{
    QFETCH(int, count);
    QFETCH(int, perRow);
    QFETCH(QSize, size);
    SampleCanvas canvas;
    canvas.setPacing(0);
    canvas.setImagesPerRow(perRow);
    canvas.begin(1, count);
    canvas.finish(1, block(count, 784, 3), {});
    const QImage grid = canvas.gridImage();
    QCOMPARE(grid.size(), size);
    // make_grid: black padding, tiles at (2 + 30 i, 2 + 30 j).
    QCOMPARE(qGray(grid.pixel(0, 0)), 0);
    QCOMPARE(qGray(grid.pixel(2, 2)), 255);
    QCOMPARE(qGray(grid.pixel(30, 2)), 0);
}

void TestSampleCanvas::rangeShowsPartOfTheRequest()
{
    SampleCanvas canvas;
    canvas.setPacing(0);
    canvas.setImageRange(3, 1);
    canvas.begin(4, 4);
    LevelsBlock b = block(4, 784, 0);
    for (int p = 0; p < 784; ++p)
        b.data[3 * 784 + p] = char(2);
    canvas.finish(4, b, {});
    QCOMPARE(canvas.shownCount(), 1);
    QCOMPARE(canvas.levels().data, QByteArray(784, char(2)));
    QCOMPARE(canvas.gridImage().size(), QSize(32, 32));
}

QTEST_MAIN(TestSampleCanvas)
#include "tst_sample_canvas.moc"
