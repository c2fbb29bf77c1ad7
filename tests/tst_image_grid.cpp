// Levels to QImages: gray values, make_grid's layout and black padding, tile contents, upscaling.
#include "error.h"
#include "image_grid.h"

#include <torch/torch.h>

#include <QTest>

using namespace pixelmix;

namespace {

int grayAt(const QImage& image, int x, int y)
{
    return image.constScanLine(y)[x];
}

}  // namespace

class TestImageGrid : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void levelsToGray_data();
    void levelsToGray();
    void gridSize_data();
    void gridSize();
    void gridPaddingIsBlackAndTilesHoldTheirImages_data();
    void gridPaddingIsBlackAndTilesHoldTheirImages();
    void upscalesByBlocks();
    void rejectsBadInput();
};

void TestImageGrid::levelsToGray_data()
{
    QTest::addColumn<int>("K");
    QTest::addColumn<std::vector<int64_t>>("levels");
    QTest::addColumn<std::vector<int>>("gray");
    QTest::newRow("K=2") << 2 << std::vector<int64_t>{0, 1} << std::vector<int>{0, 255};
    QTest::newRow("K=3, 127.5 rounds up") << 3 << std::vector<int64_t>{0, 1, 2} << std::vector<int>{0, 128, 255};
    QTest::newRow("K=4") << 4 << std::vector<int64_t>{0, 1, 2, 3} << std::vector<int>{0, 85, 170, 255};
    QTest::newRow("K=7, 42.5 rounds up") << 7 << std::vector<int64_t>{1, 5} << std::vector<int>{43, 213};
    QTest::newRow("K=256") << 256 << std::vector<int64_t>{0, 17, 200, 255} << std::vector<int>{0, 17, 200, 255};
}

void TestImageGrid::levelsToGray()
{
    QFETCH(int, K);
    QFETCH(std::vector<int64_t>, levels);
    QFETCH(std::vector<int>, gray);
    const int n = int(levels.size());
    // Two rows: the levels, then the same levels reversed; as uint8 as the sampler returns them.
    std::vector<int64_t> both = levels;
    both.insert(both.end(), levels.rbegin(), levels.rend());
    const QImage image = levelsToImage(torch::tensor(both).view({2, n}).to(torch::kUInt8), K);
    QCOMPARE(image.format(), QImage::Format_Grayscale8);
    QCOMPARE(image.size(), QSize(n, 2));
    for (int x = 0; x < n; ++x) {
        QCOMPARE(grayAt(image, x, 0), gray[size_t(x)]);
        QCOMPARE(grayAt(image, n - 1 - x, 1), gray[size_t(x)]);
    }
    // int64 levels give the same image.
    QCOMPARE(levelsToImage(torch::tensor(both).view({2, n}), K), image);
}

void TestImageGrid::gridSize_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("perRow");
    QTest::addColumn<int>("padding");
    QTest::addColumn<QSize>("size");
    QTest::newRow("1 image") << 1 << 8 << 2 << QSize(32, 32);
    QTest::newRow("a full row") << 8 << 8 << 2 << QSize(242, 32);
    QTest::newRow("10 by 4: last row part empty") << 10 << 4 << 2 << QSize(122, 92);
    QTest::newRow("fewer than a row") << 3 << 5 << 2 << QSize(92, 32);
    QTest::newRow("100 by 10") << 100 << 10 << 2 << QSize(302, 302);
    QTest::newRow("no padding") << 4 << 2 << 0 << QSize(56, 56);
    QTest::newRow("padding 5") << 6 << 3 << 5 << QSize(104, 71);
}

void TestImageGrid::gridSize()
{
    QFETCH(int, count);
    QFETCH(int, perRow);
    QFETCH(int, padding);
    QFETCH(QSize, size);
    const QImage grid = makeGrid(torch::zeros({count, 28, 28}, torch::kUInt8), 4, perRow, padding);
    QCOMPARE(grid.format(), QImage::Format_Grayscale8);
    QCOMPARE(grid.size(), size);
}

void TestImageGrid::gridPaddingIsBlackAndTilesHoldTheirImages_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("perRow");
    QTest::addColumn<int>("padding");
    QTest::newRow("7 by 3, padding 2") << 7 << 3 << 2;
    QTest::newRow("4 by 4, padding 1") << 4 << 4 << 1;
    QTest::newRow("5 by 2, padding 0") << 5 << 2 << 0;
}

void TestImageGrid::gridPaddingIsBlackAndTilesHoldTheirImages()
{
    QFETCH(int, count);
    QFETCH(int, perRow);
    QFETCH(int, padding);
    const int K = 4, height = 5, width = 6;
    torch::manual_seed(7);
    // Levels 1..K-1 only, so no tile pixel is black and padding cannot hide among them.
    const torch::Tensor levels = torch::randint(1, K, {count, height, width}, torch::kInt64);
    const QImage grid = makeGrid(levels, K, perRow, padding);
    const auto tiles = levels.accessor<int64_t, 3>();
    const int columns = std::min(count, perRow);
    for (int y = 0; y < grid.height(); ++y) {
        for (int x = 0; x < grid.width(); ++x) {
            const int column = (x - padding) / (width + padding);
            const int row = (y - padding) / (height + padding);
            const int tileX = (x - padding) % (width + padding);
            const int tileY = (y - padding) % (height + padding);
            const int index = row * columns + column;
            const bool inTile = x >= padding && y >= padding && tileX < width && tileY < height
                                && column < columns && index < count;
            const int expected = inTile ? (255 * int(tiles[index][tileY][tileX]) * 2 + K - 1) / (2 * (K - 1)) : 0;
            QVERIFY2(grayAt(grid, x, y) == expected,
                     qPrintable(QStringLiteral("pixel (%1, %2): %3, expected %4")
                                    .arg(x).arg(y).arg(grayAt(grid, x, y)).arg(expected)));
        }
    }
}

void TestImageGrid::upscalesByBlocks()
{
    const QImage small = levelsToImage(torch::tensor({0, 1, 2, 3, 2, 1}).view({2, 3}), 4);
    const QImage big = upscaled(small, 4);
    QCOMPARE(big.size(), QSize(12, 8));
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 12; ++x)
            QCOMPARE(grayAt(big, x, y), grayAt(small, x / 4, y / 4));
    QCOMPARE(upscaled(small, 1), small);
}

void TestImageGrid::rejectsBadInput()
{
    const torch::Tensor levels = torch::zeros({2, 3, 3}, torch::kUInt8);
    QVERIFY_THROWS_EXCEPTION(Error, makeGrid(levels, 1, 4));
    QVERIFY_THROWS_EXCEPTION(Error, makeGrid(levels + 4, 4, 4));
    QVERIFY_THROWS_EXCEPTION(Error, makeGrid(levels.to(torch::kInt64) - 1, 4, 4));
    QVERIFY_THROWS_EXCEPTION(Error, makeGrid(levels.to(torch::kFloat), 4, 4));
    QVERIFY_THROWS_EXCEPTION(Error, makeGrid(levels, 4, 0));
    QVERIFY_THROWS_EXCEPTION(Error, makeGrid(levels[0], 4, 4));
    QVERIFY_THROWS_EXCEPTION(Error, levelsToImage(levels, 4));
    QVERIFY_THROWS_EXCEPTION(Error, upscaled(QImage(2, 2, QImage::Format_Grayscale8), 0));
}

QTEST_GUILESS_MAIN(TestImageGrid)
#include "tst_image_grid.moc"
