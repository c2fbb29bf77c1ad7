#pragma once
// Model and training configuration. Every field has a default and a reason; the ModelConfig is
// saved inside every checkpoint and the model is always rebuilt from it.
#include <QJsonObject>
#include <QString>
#include <cstdint>

namespace pixelmix {

struct ModelConfig {
    // Feature maps per stack. 32 keeps a 2-core epoch of MNIST to a few minutes while still
    // giving recognisable digits (see docs/ARCHITECTURE.md, "Choosing the defaults").
    int channels = 32;
    // Gated layers. 6 layers of 5x5 reach well over half the image; more cost time linearly.
    int layers = 6;
    // Odd kernel width; the vertical stack sees (k/2+1) x k, the horizontal 1 x (k/2+1).
    int kernel = 5;
    // Quantisation levels per pixel (the softmax width). 4 is what the original study used.
    int levels = 4;
    // Number of classes in the conditioning vector.
    int classes = 10;
    // Channels of the learned per-class spatial map that gives location-dependent conditioning.
    int spatialChannels = 8;
    // Image size; MNIST-like data is 28x28.
    int height = 28;
    int width = 28;
    // Dropout on each gated output in train mode; elementwise, so it cannot leak future pixels.
    double dropout = 0.0;

    QJsonObject toJson() const;
    // Missing keys keep their defaults; invalid values throw std::runtime_error naming the field.
    static ModelConfig fromJson(const QJsonObject& json);
    void validate() const;
    bool operator==(const ModelConfig& other) const;
    bool operator!=(const ModelConfig& other) const { return !(*this == other); }
    // One-line human summary, e.g. "32 ch, 6 layers, 5x5, 4 levels".
    QString summary() const;
    // Learnable numbers of the PixelCNN this config builds (tests/tst_checkpoint.cpp holds it to
    // the model's own count); lets a loader refuse a config that claims more than its file holds.
    qint64 parameterCount() const;
};

struct TrainConfig {
    // Images per Adam step: 32 gives many steps per CPU-minute with stable gradients.
    int batchSize = 32;
    // Adam learning rate; 1e-3 is the usual PixelCNN choice at this size.
    double learningRate = 1e-3;
    // Stop after this many epochs (0 = no epoch limit).
    int epochs = 0;
    // Stop after this many minutes of training (0 = no time limit).
    double minutes = 0.0;
    // Random shifts of up to one pixel; cheap regularisation for a 9k-image train split.
    bool augment = false;
    // Intra-op threads for LibTorch; 0 = all cores.
    int threads = 0;
    // Seeds weights, shuffling, augmentation and dropout so runs are repeatable.
    std::uint64_t seed = 1;
    // Images of the test split used for validation each epoch (0 = all of them).
    int validationImages = 0;

    QJsonObject toJson() const;
    static TrainConfig fromJson(const QJsonObject& json);
    void validate() const;
};

}  // namespace pixelmix
