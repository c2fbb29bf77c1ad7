#pragma once
// What the pixelmix-cli commands that load a checkpoint share: required options, the sampling
// options (--temperature, --seed, --sampler), the test split a model is measured on, sampling with
// a progress display, and writing PNGs and JSON.
#include "checkpoint.h"
#include "continuum.h"
#include "sampler.h"

#include <QCommandLineParser>
#include <QDir>
#include <QImage>
#include <QJsonObject>

#include <initializer_list>

namespace pixelmix::cli {

// Error "--NAME is required" (with `hint` after it, when given) unless every option is set.
void requireOptions(const QCommandLineParser& parser, std::initializer_list<const char*> names,
                    const QString& hint = QString());

// --temperature T, --seed S, --sampler cached|naive.
void addSamplingOptions(QCommandLineParser& parser);

struct SamplingSettings {
    double temperature = 1.0;
    std::uint64_t seed = 1;
    SamplerKind kind = SamplerKind::Cached;
    QString samplerName;  // "cached" or "naive"
};
// Error naming the option for a value that is not valid.
SamplingSettings readSamplingSettings(const QCommandLineParser& parser);

// --dataset NAME and --data DIR: the split to measure on.
void addDatasetOptions(QCommandLineParser& parser);
// --data, else --dataset, else the dataset the checkpoint was trained on (mnist when unknown).
QString datasetSource(const QCommandLineParser& parser, const Checkpoint& checkpoint);

// Names of the checkpoint's classes ("0".."9", Fashion-MNIST's names); class numbers when the
// dataset it was trained on does not name them.
QStringList classNames(const Checkpoint& checkpoint);
// "7", or "7 (Sneaker)" when the name is not the number.
QString classLabel(const QStringList& names, int k);

// Samples with a progress display on stderr; returns levels [B, H, W].
torch::Tensor sampleWithProgress(PixelCNN& model, const SampleRequest& request, SamplerKind kind);

// The folder of --out, created when missing; Error naming it when it cannot be.
QDir outputFolder(const QString& path);

// The strip of pair (a, b) with the sampling settings, row r seeded settings.seed + r.
StripRequest stripRequest(int a, int b, int steps, int rows, const SamplingSettings& settings, bool coherent);
// Samples a continuum strip with a progress display on stderr (it is never cancelled).
Strip sampleStripWithProgress(PixelCNN& model, const StripRequest& request);
// The strip as make_grid lays it out: one row of `steps` tiles per seed, padding 2.
QImage stripGrid(const Strip& strip, int levels);

// Writes a PNG; Error naming the file when it cannot.
void savePng(const QImage& image, const QString& path);

// One indented JSON document on stdout.
void printJson(const QJsonObject& json);

}  // namespace pixelmix::cli
