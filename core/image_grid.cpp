#include "image_grid.h"

#include "error.h"

#include <torch/torch.h>

#include <cstring>

namespace pixelmix {

namespace {

// Levels of any integer type and device -> contiguous CPU uint8 gray values, checked to lie in
// [0, K). round(255 l / (K-1)) with halves up is floor((510 l + (K-1)) / (2 (K-1))) in integers.
torch::Tensor grayValues(const torch::Tensor& levels, int K, const char* caller)
{
    if (K < 2 || K > 256)
        throw Error(QStringLiteral("%1: %2 levels; 2 to 256 are possible").arg(caller).arg(K));
    if (!torch::isIntegralType(levels.scalar_type(), /*includeBool=*/false))
        throw Error(QStringLiteral("%1: expects integer levels").arg(caller));
    const torch::Tensor values = levels.to(torch::kCPU, torch::kInt32);
    if (values.numel() > 0 && (values.min().item<int>() < 0 || values.max().item<int>() >= K))
        throw Error(QStringLiteral("%1: levels outside 0..%2").arg(caller).arg(K - 1));
    return (values * 510 + (K - 1)).div(2 * (K - 1), "floor").to(torch::kUInt8).contiguous();
}

// Copies an [H, W] block of gray values into `image` with its top-left corner at (x, y).
void paintTile(QImage& image, const uint8_t* gray, int height, int width, int x, int y)
{
    for (int row = 0; row < height; ++row)
        std::memcpy(image.scanLine(y + row) + x, gray + size_t(row) * width, size_t(width));
}

}  // namespace

QImage levelsToImage(const torch::Tensor& levels, int K)
{
    if (levels.dim() != 2)
        throw Error(QStringLiteral("levelsToImage: expects [H, W] levels, got %1 dimensions").arg(levels.dim()));
    const torch::Tensor gray = grayValues(levels, K, "levelsToImage");
    const int height = int(gray.size(0));
    const int width = int(gray.size(1));
    QImage image(width, height, QImage::Format_Grayscale8);
    paintTile(image, gray.data_ptr<uint8_t>(), height, width, 0, 0);
    return image;
}

QImage makeGrid(const torch::Tensor& levels, int K, int imagesPerRow, int padding)
{
    if (levels.dim() != 3 || levels.size(0) < 1)
        throw Error(QStringLiteral("makeGrid: expects [N, H, W] levels with N >= 1"));
    if (imagesPerRow < 1 || padding < 0)
        throw Error(QStringLiteral("makeGrid: %1 images per row, padding %2").arg(imagesPerRow).arg(padding));
    const torch::Tensor gray = grayValues(levels, K, "makeGrid");
    const int count = int(gray.size(0));
    const int height = int(gray.size(1));
    const int width = int(gray.size(2));
    const int columns = std::min(count, imagesPerRow);
    const int rows = (count + columns - 1) / columns;

    QImage grid(columns * (width + padding) + padding, rows * (height + padding) + padding,
                QImage::Format_Grayscale8);
    grid.fill(0);
    const uint8_t* tiles = gray.data_ptr<uint8_t>();
    for (int i = 0; i < count; ++i)
        paintTile(grid, tiles + size_t(i) * height * width, height, width,
                  padding + (i % columns) * (width + padding), padding + (i / columns) * (height + padding));
    return grid;
}

QImage upscaled(const QImage& image, int factor)
{
    if (factor < 1)
        throw Error(QStringLiteral("upscaled: factor %1; it must be at least 1").arg(factor));
    return image.scaled(image.width() * factor, image.height() * factor, Qt::IgnoreAspectRatio,
                        Qt::FastTransformation);
}

}  // namespace pixelmix
