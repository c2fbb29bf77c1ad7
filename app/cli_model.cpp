#include "cli_model.h"

#include "cli_common.h"
#include "dataset.h"
#include "error.h"
#include "image_grid.h"

#include <QJsonDocument>

#include <cmath>

namespace pixelmix::cli {

void requireOptions(const QCommandLineParser& parser, std::initializer_list<const char*> names, const QString& hint)
{
    for (const char* name : names)
        if (!parser.isSet(QLatin1String(name)))
            throw Error(QStringLiteral("--%1 is required%2")
                            .arg(QLatin1String(name), hint.isEmpty() ? QString() : QStringLiteral(", ") + hint));
}

void addSamplingOptions(QCommandLineParser& parser)
{
    parser.addOptions({
        {"temperature", "Divides the logits; 0 = argmax.", "T", "1"},
        {"seed", "Seed of the per-pixel noise.", "S", "1"},
        {"sampler", "cached (fast, default) or naive (the reference: reruns the network per pixel).", "NAME", "cached"},
    });
}

SamplingSettings readSamplingSettings(const QCommandLineParser& parser)
{
    SamplingSettings s;
    bool ok = false;
    s.temperature = parser.value("temperature").toDouble(&ok);
    if (!ok || !std::isfinite(s.temperature) || s.temperature < 0)
        throw Error(QStringLiteral("--temperature: \"%1\" is not a finite number >= 0").arg(parser.value("temperature")));
    s.seed = parser.value("seed").toULongLong(&ok);
    if (!ok)
        throw Error(QStringLiteral("--seed: \"%1\" is not a whole number >= 0").arg(parser.value("seed")));
    s.samplerName = parser.value("sampler");
    if (s.samplerName != QLatin1String("cached") && s.samplerName != QLatin1String("naive"))
        throw Error(QStringLiteral("--sampler: \"%1\" is neither cached nor naive").arg(s.samplerName));
    s.kind = s.samplerName == QLatin1String("naive") ? SamplerKind::Naive : SamplerKind::Cached;
    return s;
}

void addDatasetOptions(QCommandLineParser& parser)
{
    parser.addOptions({
        {"dataset", "mnist or fashion-mnist (default: the one it was trained on).", "NAME"},
        {"data", "A folder of train-/t10k- IDX files instead of a named dataset.", "DIR"},
    });
}

QString datasetSource(const QCommandLineParser& parser, const Checkpoint& checkpoint)
{
    QString source = parser.isSet("data") ? parser.value("data") : parser.value("dataset");
    if (source.isEmpty())
        source = checkpoint.state.dataset.isEmpty() ? QStringLiteral("mnist") : checkpoint.state.dataset;
    return source;
}

QStringList classNames(const Checkpoint& checkpoint)
{
    const int classes = checkpoint.model->config.classes;
    QStringList names = classNamesFor(checkpoint.state.dataset.isEmpty() ? QStringLiteral("mnist") : checkpoint.state.dataset);
    if (names.size() != classes) {
        names.clear();
        for (int k = 0; k < classes; ++k)
            names << QString::number(k);
    }
    return names;
}

QString classLabel(const QStringList& names, int k)
{
    const QString number = QString::number(k);
    return names.value(k) == number || names.value(k).isEmpty() ? number
                                                                 : QStringLiteral("%1 (%2)").arg(number, names[k]);
}

torch::Tensor sampleWithProgress(PixelCNN& model, const SampleRequest& request, SamplerKind kind)
{
    const auto& c = model->config;
    Progress progress(QStringLiteral("sampling %1 images").arg(request.weights.size(0)), c.height * c.width);
    const auto levels = sample(model, request, kind, [&](int row, int col, const torch::Tensor&) {
        progress.update(row * c.width + col + 1);
        return true;
    });
    progress.finish();
    return levels;
}

QDir outputFolder(const QString& path)
{
    const QDir folder(path);
    if (!folder.mkpath(QStringLiteral(".")))
        throw Error(QStringLiteral("%1: cannot create the folder").arg(path));
    return folder;
}

StripRequest stripRequest(int a, int b, int steps, int rows, const SamplingSettings& settings, bool coherent)
{
    StripRequest request;
    request.a = a;
    request.b = b;
    request.steps = steps;
    request.rows = rows;
    request.seed = settings.seed;
    request.coherent = coherent;
    request.temperature = settings.temperature;
    request.sampler = settings.kind;
    return request;
}

Strip sampleStripWithProgress(PixelCNN& model, const StripRequest& request)
{
    const auto& c = model->config;
    const int pixels = c.height * c.width;
    Progress progress(QStringLiteral("strip %1, %2 x %3 images").arg(pairName(request.a, request.b)).arg(request.rows).arg(request.steps),
                      qint64(request.rows) * pixels);
    Strip strip = sampleStrip(model, request, [&](int stripRow, int row, int col, const torch::Tensor&) {
        progress.update(qint64(stripRow) * pixels + row * c.width + col + 1);
        return true;
    });
    progress.finish();
    return strip;
}

QImage stripGrid(const Strip& strip, int levels)
{
    return makeGrid(strip.levels, levels, strip.steps());
}

void savePng(const QImage& image, const QString& path)
{
    if (!image.save(path, "PNG"))
        throw Error(QStringLiteral("%1: cannot write the PNG").arg(path));
}

void printJson(const QJsonObject& json)
{
    printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)).trimmed());
}

}  // namespace pixelmix::cli
