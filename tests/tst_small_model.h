#pragma once
// A small PixelCNN for tests: every part of the default architecture (both stacks, spatial maps),
// with few channels and layers so that sampling and likelihoods take milliseconds.
#include "pixelcnn.h"

namespace pixelmix::test {

inline ModelConfig smallConfig(int size = 28)
{
    ModelConfig c;
    c.channels = 8;
    c.layers = 2;
    c.kernel = 3;
    c.levels = 4;
    c.spatialChannels = 2;
    c.height = size;
    c.width = size;
    return c;
}

// Any architecture, for data-driven rows over kernel sizes, depths and level counts.
inline ModelConfig configWith(int channels, int layers, int kernel, int levels, int spatial, int size = 28)
{
    ModelConfig c;
    c.channels = channels;
    c.layers = layers;
    c.kernel = kernel;
    c.levels = levels;
    c.spatialChannels = spatial;
    c.height = size;
    c.width = size;
    return c;
}

// Random weights, multiplied by `scale` (2 makes logits vary a lot between pixels and classes).
inline PixelCNN randomModel(const ModelConfig& c, std::uint64_t seed, double scale = 2.0)
{
    torch::manual_seed(seed);
    PixelCNN model(c);
    torch::NoGradGuard noGrad;
    for (auto& p : model->parameters())
        p.mul_(scale);
    return model;
}

}  // namespace pixelmix::test
