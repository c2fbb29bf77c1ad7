#pragma once
// Quantised images (tensors of levels) as QImages: single images, grids in the layout of
// torchvision.utils.make_grid, and nearest-neighbour enlargement for display.
#include <ATen/core/Tensor.h>  // at::Tensor is torch::Tensor, without all of <torch/torch.h>
#include <QImage>

namespace pixelmix {

// levels: [H, W] integer levels in [0, K). Gray = round(255 * level / (K - 1)), halves rounded up
// as torchvision's save_image does. Format_Grayscale8.
QImage levelsToImage(const at::Tensor& levels, int K);

// levels: [N, H, W]. Tiles left to right, top to bottom, min(N, imagesPerRow) per row, separated and
// framed by `padding` black pixels, as make_grid(nrow=imagesPerRow, padding, pad_value=0) lays
// them out: width = columns * (W + padding) + padding, height = rows * (H + padding) + padding.
// (One difference: make_grid returns a single image without its frame; here it is framed too.)
QImage makeGrid(const at::Tensor& levels, int K, int imagesPerRow, int padding = 2);

// Each pixel becomes a factor x factor block (no smoothing: levels stay crisp).
QImage upscaled(const QImage& image, int factor);

}  // namespace pixelmix
