#pragma once
// Incremental PixelCNN generation (Ramachandran et al. 2017, "Fast Generation for Convolutional
// Autoregressive Models"). Every layer keeps what earlier steps computed:
//   - once per row, the vertical stack of every layer advances one row (it only sees rows above),
//     and its contribution to the horizontal stack for the whole row is computed in one go;
//   - once per pixel, the horizontal stack and the output head run for that pixel alone, as small
//     matrix-vector products on preallocated buffers.
// A whole image costs about one forward pass of work. It reproduces the reference sampler: the
// same logits up to float rounding and the same levels for the same uniforms.
#include "sampler.h"

namespace pixelmix {

class CachedSampler {
public:
    explicit CachedSampler(PixelCNNImpl& model);

    // uniforms: [B, H, W] double. Returns levels [B, H, W] uint8. When logits is given, it receives
    // every pixel's logits as [B, K, H, W] float (what the network gave before the draw).
    torch::Tensor run(const SampleRequest& request, const torch::Tensor& uniforms, const SampleCallback& onPixel,
                      torch::Tensor* logits = nullptr);

private:
    struct Layer {
        torch::Tensor verticalMatrix;        // [(pad+1) * k * Cin, 2C], rows in (tap, column, channel) order
        torch::Tensor verticalBias;          // [2C]
        torch::Tensor linkMatrix;            // [2C, 2C] (1x1 vertical -> horizontal), transposed
        torch::Tensor horizontalBias;        // [2C] horizontal conv bias + link bias
        std::vector<float> horizontalWeight; // [(pad+1) * Cin][2C], input index = tap * Cin + channel
        std::vector<float> outWeight;        // [C][C], transposed 1x1
        std::vector<float> outBias;          // [C]
    };
    PixelCNNImpl& model_;
    std::vector<Layer> layers_;
    std::vector<float> hiddenWeight_, hiddenBias_;  // output head 1x1: [C][C], [C]
    std::vector<float> logitWeight_, logitBias_;    // output head 1x1: [C][K], [K]
};

}  // namespace pixelmix
