#include "checkpoint.h"

#include "error.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <map>
#include <sstream>

namespace pixelmix {

namespace {
const char* const kFormat = "pixelmix-checkpoint-1";
// LibTorch archives are zip files. A checkpoint of the largest model the app trains is tens of MB;
// anything beyond this is not one, and is refused before it is read into memory.
constexpr qint64 kMaxCheckpointBytes = qint64(2) << 30;
}  // namespace

QJsonObject TrainingState::toJson() const
{
    QJsonArray steps;
    for (double loss : stepBitsPerDim)
        steps.append(loss);
    QJsonArray epochRecords;
    for (const auto& e : epochs)
        epochRecords.append(QJsonObject{{"epoch", e.epoch},
                                        {"step", double(e.step)},
                                        {"trainBitsPerDim", e.trainBitsPerDim},
                                        {"validBitsPerDim", e.validBitsPerDim},
                                        {"validNatsPerImage", e.validNatsPerImage},
                                        {"seconds", e.seconds}});
    return QJsonObject{{"model", model.toJson()},
                       {"train", train.toJson()},
                       {"dataset", dataset},
                       {"epoch", epoch},
                       {"batchInEpoch", double(batchInEpoch)},
                       {"step", double(step)},
                       {"trainedSeconds", trainedSeconds},
                       {"bestValidBitsPerDim", bestValidBitsPerDim},
                       {"stepBitsPerDim", steps},
                       {"epochs", epochRecords}};
}

TrainingState TrainingState::fromJson(const QJsonObject& json)
{
    for (const char* key : {"model", "train", "epoch", "step"})
        if (!json.contains(QLatin1String(key)))
            throw Error(QStringLiteral("training state lacks \"%1\"").arg(QLatin1String(key)));
    TrainingState s;
    s.model = ModelConfig::fromJson(json.value("model").toObject());
    s.train = TrainConfig::fromJson(json.value("train").toObject());
    s.dataset = json.value("dataset").toString();
    s.epoch = json.value("epoch").toInt();
    s.batchInEpoch = std::int64_t(json.value("batchInEpoch").toDouble());
    s.step = std::int64_t(json.value("step").toDouble());
    s.trainedSeconds = json.value("trainedSeconds").toDouble();
    s.bestValidBitsPerDim = json.value("bestValidBitsPerDim").toDouble();
    for (const auto& v : json.value("stepBitsPerDim").toArray())
        s.stepBitsPerDim.push_back(v.toDouble());
    for (const auto& v : json.value("epochs").toArray()) {
        const auto o = v.toObject();
        s.epochs.push_back({o.value("epoch").toInt(), std::int64_t(o.value("step").toDouble()),
                            o.value("trainBitsPerDim").toDouble(), o.value("validBitsPerDim").toDouble(),
                            o.value("validNatsPerImage").toDouble(), o.value("seconds").toDouble()});
    }
    return s;
}

void saveCheckpoint(const QString& path, const TrainingState& state, PixelCNN& model,
                    torch::optim::Optimizer* optimizer)
{
    torch::serialize::OutputArchive archive;
    archive.write("format", torch::IValue(std::string(kFormat)));
    archive.write("state", torch::IValue(QJsonDocument(state.toJson()).toJson(QJsonDocument::Compact).toStdString()));
    torch::serialize::OutputArchive weights;
    model->save(weights);
    archive.write("model", weights);
    if (optimizer) {
        torch::serialize::OutputArchive optimizerArchive;
        optimizer->save(optimizerArchive);
        archive.write("optimizer", optimizerArchive);
    }
    archive.write("rng", at::detail::getDefaultCPUGenerator().get_state());

    std::ostringstream bytes;
    archive.save_to(bytes);
    const std::string data = bytes.str();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write checkpoint: %2").arg(path, file.errorString()));
    if (file.write(data.data(), qint64(data.size())) != qint64(data.size()) || !file.commit())
        throw Error(QStringLiteral("%1: cannot write checkpoint: %2").arg(path, file.errorString()));
}

namespace {

// Tensors in a module archive, its submodules' included.
qint64 storedTensorCount(torch::serialize::InputArchive& archive)
{
    qint64 count = 0;
    for (const auto& key : archive.keys()) {
        torch::serialize::InputArchive child;
        torch::Tensor tensor;
        if (archive.try_read(key, tensor))
            ++count;
        else if (archive.try_read(key, child))
            count += storedTensorCount(child);
    }
    return count;
}

// Opens the archive and reads the state; the model is rebuilt from the stored config.
Checkpoint readCheckpoint(const QString& path, torch::serialize::InputArchive& archive)
{
    QFile file(path);
    if (!file.exists())
        throw Error(QStringLiteral("%1: no such checkpoint").arg(path));
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    if (!file.isSequential() && file.size() > kMaxCheckpointBytes)
        throw Error(QStringLiteral("%1: not a checkpoint (%2 MB, more than any PixelMix model)")
                        .arg(path).arg(file.size() >> 20));
    if (file.isSequential() || file.peek(4) != QByteArrayLiteral("PK\x03\x04"))
        throw Error(QStringLiteral("%1: not a checkpoint, or a corrupt one (not a LibTorch archive)").arg(path));
    const QByteArray data = file.readAll();
    try {
        archive.load_from(data.constData(), size_t(data.size()));
    } catch (const std::exception&) {
        throw Error(QStringLiteral("%1: not a checkpoint, or a corrupt one (the archive cannot be opened)").arg(path));
    }
    torch::IValue format, stateText;
    if (!archive.try_read("format", format) || !format.isString() || format.toStringRef() != kFormat)
        throw Error(QStringLiteral("%1: not a PixelMix checkpoint (no \"%2\" marker)").arg(path, QLatin1String(kFormat)));
    if (!archive.try_read("state", stateText) || !stateText.isString())
        throw Error(QStringLiteral("%1: corrupt checkpoint: the training state is missing").arg(path));
    QJsonParseError parseError;
    const auto json = QJsonDocument::fromJson(QByteArray::fromStdString(stateText.toStringRef()), &parseError);
    if (json.isNull())
        throw Error(QStringLiteral("%1: corrupt checkpoint: %2").arg(path, parseError.errorString()));
    Checkpoint checkpoint;
    try {
        checkpoint.state = TrainingState::fromJson(json.object());
    } catch (const std::exception& e) {
        throw Error(QStringLiteral("%1: corrupt checkpoint: %2").arg(path, QString::fromStdString(e.what())));
    }
    // The weights are stored uncompressed, so a config that describes more of them than the file
    // holds is a lie: refuse it before building a model of that size.
    const qint64 weightBytes = checkpoint.state.model.parameterCount() * qint64(sizeof(float));
    if (weightBytes > qint64(data.size()))
        throw Error(QStringLiteral("%1: corrupt checkpoint: its config (%2) needs %3 MB of weights but the file "
                                   "holds %4 MB")
                        .arg(path, checkpoint.state.model.summary())
                        .arg(double(weightBytes) / 1e6, 0, 'f', 1)
                        .arg(double(data.size()) / 1e6, 0, 'f', 1));
    checkpoint.model = PixelCNN(checkpoint.state.model);
    torch::serialize::InputArchive weights;
    try {
        if (!archive.try_read("model", weights))
            throw Error(QStringLiteral("no weights"));
        // load() replaces each tensor with the stored one whatever its shape, and ignores stored
        // tensors the model lacks: check shapes, type and count against the model the config builds.
        std::map<std::string, std::vector<int64_t>> expected;
        for (const auto& p : checkpoint.model->named_parameters())
            expected[p.key()] = p.value().sizes().vec();
        checkpoint.model->load(weights);
        for (const auto& p : checkpoint.model->named_parameters()) {
            if (p.value().sizes().vec() != expected[p.key()] || p.value().scalar_type() != torch::kFloat32)
                throw Error(QStringLiteral("weight %1 does not fit the config").arg(QString::fromStdString(p.key())));
        }
        const auto stored = storedTensorCount(weights);
        if (stored != qint64(expected.size()))
            throw Error(QStringLiteral("the file holds %1 weight tensors where the config has %2")
                            .arg(stored)
                            .arg(expected.size()));
    } catch (const std::exception& e) {
        throw Error(QStringLiteral("%1: the weights do not fit the stored config (%2): %3")
                        .arg(path, checkpoint.state.model.summary(), QString::fromStdString(e.what()).section('\n', 0, 0)));
    }
    return checkpoint;
}

}  // namespace

Checkpoint loadCheckpoint(const QString& path)
{
    torch::serialize::InputArchive archive;
    auto checkpoint = readCheckpoint(path, archive);
    checkpoint.model->eval();
    return checkpoint;
}

Checkpoint loadCheckpointForResume(const QString& path, const OptimizerFactory& makeOptimizer,
                                   std::unique_ptr<torch::optim::Optimizer>& optimizer)
{
    torch::serialize::InputArchive archive;
    auto checkpoint = readCheckpoint(path, archive);
    optimizer = makeOptimizer(checkpoint.model, checkpoint.state);
    try {
        torch::serialize::InputArchive optimizerArchive;
        if (!archive.try_read("optimizer", optimizerArchive))
            throw Error(QStringLiteral("it holds no optimizer state"));
        optimizer->load(optimizerArchive);
        torch::Tensor rng;
        if (!archive.try_read("rng", rng))
            throw Error(QStringLiteral("it holds no RNG state"));
        auto generator = at::detail::getDefaultCPUGenerator();
        generator.set_state(rng);
    } catch (const std::exception& e) {
        throw Error(QStringLiteral("%1: cannot resume training from it: %2")
                        .arg(path, QString::fromStdString(e.what()).section('\n', 0, 0)));
    }
    return checkpoint;
}

}  // namespace pixelmix
