#pragma once
// Sampling from a PixelCNN. Two samplers share one signature so callers never know which runs:
//   - Naive: reruns the whole network for every pixel (the reference and test oracle);
//   - Cached: incremental generation (Ramachandran et al. 2017), see cached_sampler.cpp.
// Both draw a level per pixel by inverse-CDF sampling of softmax(logits / T) against a uniform
// fixed in advance from the seed, so for the same seed, weights and temperature they give the same
// images. With shared noise every image of the batch uses the same uniform per pixel, so images
// that differ only in their class weights morph instead of jumping.
#include "pixelcnn.h"

#include <functional>
#include <vector>

namespace pixelmix {

enum class SamplerKind { Naive, Cached };

struct SampleRequest {
    torch::Tensor weights;     // [B, classes] class weights per image, each row summing to 1
    double temperature = 1.0;  // divides the logits; <= 1e-6 means argmax
    std::uint64_t seed = 0;    // seeds the per-pixel uniforms
    bool sharedNoise = false;  // one uniform per pixel for the whole batch (coherent morphs)
    // With sharedNoise, the seed of each image's noise instead of `seed` ([B] or empty): images with
    // one seed share a field, which is the field of a one-image request with that seed. Several
    // coherent rows (one seed each) are then one batch.
    std::vector<std::uint64_t> noiseSeeds;
};

// Called for each pixel (row, col), in raster order, once it is drawn in every image; levels is the
// [B, H, W] uint8 canvas so far. The naive sampler reports each pixel as it draws it, the cached one
// draws a row at a time and then reports its pixels. Return false to cancel: sampling stops and
// returns what it has.
using SampleCallback = std::function<bool(int row, int col, const torch::Tensor& levels)>;

// Draws images: returns levels [B, H, W] uint8. Runs in no-grad, eval mode (restored afterwards).
torch::Tensor sample(PixelCNN& model, const SampleRequest& request, SamplerKind kind = SamplerKind::Cached,
                     const SampleCallback& onPixel = {});

// The per-pixel uniforms for a request: [B, H, W] double in [0, 1).
torch::Tensor sampleUniforms(const SampleRequest& request, int height, int width);

// Inverse-CDF draw of one level from `levels` logits (contiguous floats) at temperature T.
int drawLevel(const float* logits, int levels, double temperature, double uniform);

// Class weights from "4:0.7,9:0.3" (normalised to sum 1); Error on bad text.
torch::Tensor parseWeights(const QString& text, int classes);

}  // namespace pixelmix
