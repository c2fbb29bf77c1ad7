#pragma once
// Likelihoods: bits/dim, nats per image, per-class log-likelihoods and the class posterior by
// Bayes' rule with a uniform prior.
#include "pixelcnn.h"

namespace pixelmix {

struct Evaluation {
    double bitsPerDim = 0.0;     // mean negative log2-likelihood per pixel
    double natsPerImage = 0.0;   // mean negative log-likelihood per image
    std::int64_t images = 0;
};

// Mean cross-entropy of logits [B, K, H, W] against levels [B, H, W], in nats per pixel.
torch::Tensor natsPerPixel(const torch::Tensor& logits, const torch::Tensor& levels);
double natsToBitsPerDim(double natsPerPixel);

// Evaluates the model on levels [N, H, W] with one-hot labels [N], batch by batch, in eval mode and
// without gradients. `cancelled` (optional) is polled between batches.
Evaluation evaluate(PixelCNN& model, const torch::Tensor& levels, const torch::Tensor& labels, int batchSize = 256,
                    const std::function<bool()>& cancelled = {});

// Per-image negative log-likelihood in bits/dim under the given class weights: [N].
torch::Tensor imageBitsPerDim(PixelCNN& model, const torch::Tensor& levels, const torch::Tensor& weights);

// log p(x | y = k) in nats for every image and class: [N, classes]. One forward pass per class,
// batched as N * classes images, batchSize at a time. `cancelled` (optional) is polled between
// batches; once it says yes the result is an undefined tensor.
torch::Tensor classLogLikelihoods(PixelCNN& model, const torch::Tensor& levels, int batchSize = 256,
                                  const std::function<bool()>& cancelled = {});

// p(k | x) with a uniform prior, from classLogLikelihoods: [N, classes], rows sum to 1.
torch::Tensor classPosterior(const torch::Tensor& logLikelihoods);

}  // namespace pixelmix
