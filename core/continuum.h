#pragma once
// Continuum strips: for a pair of classes (a, b), images sampled along the weights
// 1-0, ..., 0-1 (weight of b = k / (steps - 1) at step k), several rows with one seed each, and
// what the model makes of them: the class posterior p(k | x) by Bayes' rule with a uniform prior,
// and the bits/dim of each image under the weights it was drawn with.
//
// Coherent rows share one uniform per pixel across the row (SampleRequest::sharedNoise), so
// neighbouring steps differ only through the weights and the digit morphs instead of jumping. A
// coherent row's first image is exactly sample() of the one-hot class a with the row's seed: for
// one image, shared and independent noise are the same uniforms (see sampleUniforms).
#include "sampler.h"
#include "strip_curves.h"

#include <functional>
#include <vector>

namespace pixelmix {

// [steps, classes] float: row k weighs class a by 1 - k / (steps - 1) and class b by k / (steps - 1).
// steps >= 2; a and b in 0..classes-1 and different. Error otherwise.
torch::Tensor continuumWeights(int a, int b, int steps, int classes);

struct StripRequest {
    int a = 0;
    int b = 1;
    int steps = 11;
    int rows = 1;
    std::uint64_t seed = 1;   // row r uses seed + r
    bool coherent = true;     // shared per-pixel noise along each row; false: independent draws
    double temperature = 1.0;
    SamplerKind sampler = SamplerKind::Cached;
};

struct Strip {
    StripRequest request;
    torch::Tensor weights;     // [steps, classes] float, continuumWeights(a, b, steps, classes)
    torch::Tensor levels;      // [rows * steps, H, W] uint8; image r * steps + k is row r, step k
    torch::Tensor posterior;   // [rows * steps, classes] double, p(k | x), rows sum to 1
    torch::Tensor bitsPerDim;  // [rows * steps] double, each image under its own weights
    bool complete = false;     // false when the callback cancelled

    int steps() const { return request.steps; }
    int rows() const { return request.rows; }
};

// Called as sampling advances: strip row, pixel (row, col) just drawn in every image of that strip
// row, and that row's [steps, H, W] canvas so far. Return false to cancel: sampleStrip then throws
// Cancelled.
using StripCallback = std::function<bool(int stripRow, int pixelRow, int pixelCol, const torch::Tensor& levels)>;

struct Cancelled : std::exception {
    const char* what() const noexcept override { return "cancelled"; }
};

// Samples the strip, then measures the posterior (classLogLikelihoods: one forward per class,
// batched) and bits/dim of every image. Eval mode, no gradients.
Strip sampleStrip(PixelCNN& model, const StripRequest& request, const StripCallback& onPixel = {});

// The strip's curves (strip_curves.h); Error when it was cancelled before it was measured.
StripCurves stripCurves(const Strip& strip);

}  // namespace pixelmix
