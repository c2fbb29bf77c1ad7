// Sampling benchmark: one model (the default config, or --model CKPT), timed in one run as
//   - the naive reference sampler (whole network per pixel),
//   - the cached sampler,
//   - one full forward pass of the same batch: the floor, what a whole image costs at best,
// for an 11-image strip and a 50-image grid. Prints seconds and the ratios against the floor and
// the naive sampler measured in the same run, so the numbers compare across machines.
#include "checkpoint.h"
#include "sampler.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <chrono>
#include <cstdio>

using namespace pixelmix;

namespace {
double secondsOf(const std::function<void()>& work, int repeats)
{
    double best = 1e300;  // best of N: the least disturbed run
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return best;
}
}  // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription("Times the naive and cached samplers against one forward pass.");
    parser.addHelpOption();
    parser.addOption({"model", "Checkpoint to time (default: a freshly initialised default model).", "CKPT"});
    parser.addOption({"threads", "LibTorch threads (default 2).", "N", "2"});
    parser.addOption({"naive-pixels", "Pixels the naive sampler draws before its time is extrapolated to the "
                                      "whole image (default 28: one row; 0 = the whole image).", "N", "28"});
    parser.process(app);
    torch::set_num_threads(parser.value("threads").toInt());

    PixelCNN model = parser.isSet("model") ? loadCheckpoint(parser.value("model")).model : PixelCNN(ModelConfig());
    model->eval();
    const auto& c = model->config;
    const int pixels = c.height * c.width;
    const int naivePixels = parser.value("naive-pixels").toInt() > 0 ? std::min(parser.value("naive-pixels").toInt(), pixels) : pixels;
    std::printf("model: %s, threads %d\n", qPrintable(c.summary()), torch::get_num_threads());
    std::printf("%-10s %12s %12s %12s %14s %14s\n", "batch", "floor s", "cached s", "naive s", "cached/floor",
                "naive/cached");
    for (int batch : {11, 50}) {
        SampleRequest request;
        request.weights = torch::full({batch, c.classes}, 1.0 / c.classes);
        request.seed = 1;
        torch::NoGradGuard noGrad;
        const auto levels = torch::zeros({batch, c.height, c.width}, torch::kUInt8);
        const double floor = secondsOf([&] { model->forward(levels, request.weights); }, 5);
        const double cached = secondsOf([&] { sample(model, request, SamplerKind::Cached); }, 3);
        // The naive sampler costs the same for every pixel: time a prefix and scale it up.
        const double naivePrefix = secondsOf(
            [&] {
                sample(model, request, SamplerKind::Naive,
                       [&](int row, int col, const torch::Tensor&) { return row * c.width + col + 1 < naivePixels; });
            },
            1);
        const double naive = naivePrefix * double(pixels) / double(naivePixels);
        std::printf("%-10d %12.4f %12.4f %12.2f %14.2f %14.1f\n", batch, floor, cached, naive, cached / floor,
                    naive / cached);
    }
    return 0;
}
