// The between-class studio, driven through the real window with a small model: the pair buttons
// request their 11-step strips, rows are one seed each and a coherent row starts with the one-hot
// sample of class a, the posterior follows the picture and only the newest request's is plotted,
// and the strip and its plot are saved whole. Also the core under it: per-image noise seeds.
#include "tst_gui_common.h"

#include "class_mixer.h"
#include "main_window.h"
#include "posterior_chart.h"
#include "sample_canvas.h"

#include <QComboBox>
#include <QImageReader>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <memory>

using namespace pixelmix::ui;

namespace {
QByteArray bytes(const torch::Tensor& levels)
{
    const auto contiguous = levels.contiguous();
    return QByteArray(reinterpret_cast<const char*>(contiguous.data_ptr<uint8_t>()), qsizetype(contiguous.numel()));
}
}  // namespace

class TestStudio : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void noiseSeedsMakeRowsOfOneSeedEach_data();
    void noiseSeedsMakeRowsOfOneSeedEach();
    void pairButtonsRequestTheirStrip_data();
    void pairButtonsRequestTheirStrip();
    void rowsAreOneSeedEach_data();
    void rowsAreOneSeedEach();
    void posteriorFollowsThePictureForTheCurrentIdOnly_data();
    void posteriorFollowsThePictureForTheCurrentIdOnly();
    void savesTheWholeStripAndThePlot_data();
    void savesTheWholeStripAndThePlot();
    void showPairOption_data();
    void showPairOption();

private:
    std::unique_ptr<MainWindow> makeWindow(const QString& showPair = {});
    bool waitUpToDate(MainWindow& window, int timeoutMs = 30000);

    QTemporaryDir scratch_;
    QString checkpoint_;
};

void TestStudio::initTestCase()
{
    QVERIFY(scratch_.isValid());
    checkpoint_ = testing::writeCheckpoint(scratch_.path());
}

std::unique_ptr<MainWindow> TestStudio::makeWindow(const QString& showPair)
{
    auto options = testing::windowOptions(scratch_.path(), checkpoint_);
    options.showPair = showPair;
    return testing::openWindow(options);
}

// The newest request is complete on both canvases and its posterior is plotted.
bool TestStudio::waitUpToDate(MainWindow& window, int timeoutMs)
{
    return QTest::qWaitFor([&] {
        return window.hasModel() && window.currentSampleId() > 0 && window.canvas()->isComplete() &&
               window.canvas()->currentId() == window.currentSampleId() && window.focusCanvas()->isComplete() &&
               window.posteriorChart()->shownId() == window.currentSampleId();
    }, timeoutMs);
}

void TestStudio::noiseSeedsMakeRowsOfOneSeedEach_data()
{
    QTest::addColumn<QVector<quint64>>("seeds");
    QTest::newRow("two rows of two") << QVector<quint64>{5, 5, 6, 6};
    QTest::newRow("interleaved") << QVector<quint64>{9, 2, 9, 2, 9};
    QTest::newRow("one image") << QVector<quint64>{42};
}

void TestStudio::noiseSeedsMakeRowsOfOneSeedEach()
{
    QFETCH(QVector<quint64>, seeds);
    auto model = pixelmix::loadCheckpoint(checkpoint_).model;
    const int count = int(seeds.size());
    pixelmix::SampleRequest batch;
    batch.weights = pixelmix::oneHot(torch::arange(count, torch::kLong).remainder(10), 10);
    batch.sharedNoise = true;
    batch.noiseSeeds.assign(seeds.begin(), seeds.end());
    const auto levels = pixelmix::sample(model, batch);
    for (int i = 0; i < count; ++i) {
        pixelmix::SampleRequest alone;  // the same image on its own, with its seed
        alone.weights = batch.weights.narrow(0, i, 1);
        alone.seed = seeds[i];
        alone.sharedNoise = true;
        QCOMPARE(bytes(levels[i]), bytes(pixelmix::sample(model, alone)[0]));
    }
    batch.noiseSeeds.push_back(1);  // a seed too many
    QVERIFY_THROWS_EXCEPTION(pixelmix::Error, pixelmix::sample(model, batch));
}

void TestStudio::pairButtonsRequestTheirStrip_data()
{
    QTest::addColumn<int>("a");
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("rows");
    for (const auto& [a, b] : MainWindow::kStudyPairs)
        for (const int rows : {1, 3})
            QTest::addRow("%d/%d, %d rows", a, b, rows) << a << b << rows;
}

void TestStudio::pairButtonsRequestTheirStrip()
{
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, rows);
    auto window = makeWindow();
    QVERIFY(waitUpToDate(*window));
    window->countBox()->setValue(4);
    window->rowsBox()->setValue(rows);
    QVERIFY(waitUpToDate(*window));
    window->setView(MainWindow::View::SameWeights);  // the button brings the strip back
    const quint64 seed = quint64(window->seedBox()->value());

    QSignalSpy requests(window.get(), &MainWindow::sampleRequested);
    auto* button = window->findChild<QPushButton*>(QStringLiteral("pair%1-%2").arg(a).arg(b));
    QVERIFY(button);
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(requests.size(), 1);  // one request for the whole change
    QCOMPARE(window->view(), MainWindow::View::Strip);
    QCOMPARE(window->mixer()->classA(), a);
    QCOMPARE(window->mixer()->classB(), b);
    QCOMPARE(window->countBox()->value(), MainWindow::kPairSteps);
    const auto job = requests.first().at(1).value<SampleJob>();
    const int steps = MainWindow::kPairSteps;
    QCOMPARE(job.weights.size(), steps * rows + 1);  // the rows, then the focus image
    QVERIFY(job.sharedNoise);
    QVERIFY(job.posterior);
    for (int r = 0; r < rows; ++r)
        for (int k = 0; k < steps; ++k) {
            const auto& w = job.weights[r * steps + k];
            const double towardB = k / 10.0;  // 1-0, 0.9-0.1, ..., 0-1
            for (int c = 0; c < 10; ++c) {
                const double expected = c == a ? 1.0 - towardB : c == b ? towardB : 0.0;
                QVERIFY2(std::abs(w.value(c) - expected) < 1e-12,
                         qPrintable(QStringLiteral("row %1 step %2 class %3: %4, not %5").arg(r).arg(k).arg(c).arg(w.value(c)).arg(expected)));
            }
            QCOMPARE(job.noiseSeeds[r * steps + k], seed + quint64(r));
        }
    QCOMPARE(job.noiseSeeds.last(), seed);  // the focus image shares row 0's noise
    QVERIFY(waitUpToDate(*window));
    QCOMPARE(window->canvas()->shownCount(), steps * rows);
    QCOMPARE(window->posteriorChart()->curves().a, a);
    QCOMPARE(window->posteriorChart()->curves().b, b);
}

void TestStudio::rowsAreOneSeedEach_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("seed");
    QTest::addColumn<int>("steps");
    QTest::newRow("2 rows of 11 from seed 5") << 2 << 5 << 11;
    QTest::newRow("4 rows of 6 from seed 123") << 4 << 123 << 6;
}

void TestStudio::rowsAreOneSeedEach()
{
    QFETCH(int, rows);
    QFETCH(int, seed);
    QFETCH(int, steps);
    auto window = makeWindow();
    QVERIFY(waitUpToDate(*window));
    window->mixer()->pickerA()->setCurrentIndex(2);
    window->mixer()->pickerB()->setCurrentIndex(6);
    window->seedBox()->setValue(seed);
    window->countBox()->setValue(steps);
    window->rowsBox()->setValue(rows);
    QVERIFY(waitUpToDate(*window));
    const SampleJob job = window->lastSampleJob();
    QCOMPARE(window->canvas()->shownCount(), rows * steps);
    QCOMPARE(window->canvas()->imagesPerRow(), steps);
    QVector<quint64> expectedSeeds;
    for (int r = 0; r < rows; ++r)
        expectedSeeds << QVector<quint64>(steps, quint64(seed + r));
    QCOMPARE(job.noiseSeeds.mid(0, rows * steps), expectedSeeds);

    // The canvas shows what core computes for that job, and the first image of each coherent row
    // is core's one-hot sample of class a with the row's seed.
    const QByteArray shown = window->canvas()->levels().data;
    QCOMPARE(shown, testing::directSample(checkpoint_, job).left(rows * steps * 784));
    auto model = pixelmix::loadCheckpoint(checkpoint_).model;
    for (int r = 0; r < rows; ++r) {
        pixelmix::SampleRequest oneHot;
        oneHot.weights = pixelmix::oneHot(torch::full({1}, 2, torch::kLong), 10);
        oneHot.seed = quint64(seed + r);
        oneHot.sharedNoise = true;
        QCOMPARE(shown.mid(qsizetype(r) * steps * 784, 784), bytes(pixelmix::sample(model, oneHot)));
    }
}

void TestStudio::posteriorFollowsThePictureForTheCurrentIdOnly_data()
{
    QTest::addColumn<int>("rows");
    QTest::newRow("one row") << 1;
    QTest::newRow("three rows") << 3;
}

void TestStudio::posteriorFollowsThePictureForTheCurrentIdOnly()
{
    QFETCH(int, rows);
    auto window = makeWindow();
    QVERIFY(waitUpToDate(*window));
    window->rowsBox()->setValue(rows);
    QVERIFY(waitUpToDate(*window));

    // Every posterior drawn belongs to the request that was current when it was drawn.
    QStringList order;
    QVector<quint64> plotted;
    QVector<ImageInfo> lastInfo;
    connect(window->worker(), &Worker::sampleFinished, this, [&](quint64 id) { order << QStringLiteral("finished %1").arg(id); });
    connect(window->worker(), &Worker::posteriorReady, this, [&](quint64 id, const QVector<ImageInfo>& info) {
        order << QStringLiteral("posterior %1").arg(id);
        lastInfo = info;
    });
    connect(window->posteriorChart(), &PosteriorChart::shown, this, [&](quint64 id) {
        QCOMPARE(id, window->currentSampleId());
        plotted << id;
    });
    QSlider* slider = window->mixer()->pairSlider();
    for (int i = 0; i < 30; ++i) {
        slider->setValue((i * 29) % 101);
        if (i % 5 == 0)
            QTest::qWait(5);  // let some of the older requests finish, or not
    }
    const quint64 last = window->currentSampleId();
    QVERIFY(waitUpToDate(*window));
    QCOMPARE(plotted.last(), last);
    // The picture comes first: no request's posterior before its finished strip.
    for (int i = 0; i < order.size(); ++i)
        if (order[i].startsWith(QLatin1String("posterior")))
            QVERIFY2(order.mid(0, i).contains(QStringLiteral("finished ") + order[i].section(QLatin1Char(' '), 1)),
                     qPrintable(order.join(QStringLiteral(", "))));

    // Each image's posterior is a distribution over the ten classes.
    const int steps = window->countBox()->value();
    QCOMPARE(lastInfo.size(), rows * steps + 1);
    for (const auto& image : lastInfo) {
        QCOMPARE(image.posterior.size(), 10);
        double total = 0.0;
        for (const double p : image.posterior) {
            QVERIFY(p >= 0.0 && p <= 1.0);
            total += p;
        }
        QVERIFY2(std::abs(total - 1.0) < 1e-9, qPrintable(QString::number(total, 'g', 17)));
    }
    // The plot holds the current strip: a point per image, a mean per step.
    const auto& curves = window->posteriorChart()->curves();
    QCOMPARE(int(curves.rowA.size()), rows);
    QCOMPARE(int(curves.weightOfB.size()), steps);
    QCOMPARE(curves.weightOfB.back(), 1.0);
    const int b = window->mixer()->classB();
    QCOMPARE(curves.rowB[rows - 1][steps - 1], lastInfo[rows * steps - 1].posterior[b]);

    // A late posterior of an older request changes nothing.
    const int dropped = window->staleDropped();
    const double shownB = curves.rowB[rows - 1][steps - 1];
    QVector<ImageInfo> stale = lastInfo;
    for (auto& image : stale)
        image.posterior.fill(0.1);
    Q_EMIT window->worker()->posteriorReady(last - 1, stale);
    QCOMPARE(window->staleDropped(), dropped + 1);
    QCOMPARE(window->posteriorChart()->shownId(), last);
    QCOMPARE(window->posteriorChart()->curves().rowB[rows - 1][steps - 1], shownB);
}

void TestStudio::savesTheWholeStripAndThePlot_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<QSize>("size");
    QTest::newRow("one row of 11") << 1 << QSize(11 * 30 + 2, 32);
    QTest::newRow("three rows of 11") << 3 << QSize(11 * 30 + 2, 3 * 30 + 2);
}

void TestStudio::savesTheWholeStripAndThePlot()
{
    QFETCH(int, rows);
    QFETCH(QSize, size);
    auto window = makeWindow();
    QVERIFY(waitUpToDate(*window));
    window->rowsBox()->setValue(rows);
    QVERIFY(waitUpToDate(*window));
    const QString strip = QDir(scratch_.path()).filePath(QStringLiteral("strip-%1.png").arg(rows));
    QString error;
    QVERIFY2(window->saveImage(strip, &error), qPrintable(error));
    QCOMPARE(QImageReader(strip).size(), size);
    const QString plot = QDir(scratch_.path()).filePath(QStringLiteral("posterior-%1.png").arg(rows));
    QVERIFY2(window->savePosteriorChart(plot, &error), qPrintable(error));
    QCOMPARE(QImageReader(plot).format(), QByteArray("png"));
    QVERIFY(!QImageReader(plot).size().isEmpty());

    // While the next posterior is measured there is no plot of the shown strip to save.
    window->mixer()->pairSlider()->setValue(window->mixer()->pairSlider()->value() + 1);
    QVERIFY(!window->posteriorChart()->isUpToDate());
    QVERIFY(!window->savePosteriorChart(plot, &error));
    QVERIFY(waitUpToDate(*window));
}

void TestStudio::showPairOption_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<int>("a");  // -1: refused
    QTest::addColumn<int>("b");
    QTest::newRow("3-8") << QStringLiteral("3-8") << 3 << 8;
    QTest::newRow("9-0") << QStringLiteral("9-0") << 9 << 0;
    QTest::newRow("same class") << QStringLiteral("4-4") << -1 << -1;
    QTest::newRow("two pairs") << QStringLiteral("1-7,3-8") << -1 << -1;
    QTest::newRow("no class 12") << QStringLiteral("1-12") << -1 << -1;
}

void TestStudio::showPairOption()
{
    QFETCH(QString, option);
    QFETCH(int, a);
    QFETCH(int, b);
    auto window = makeWindow(option);
    QVERIFY(waitUpToDate(*window));
    if (a < 0) {
        QVERIFY2(window->statusLabel()->text().contains(QStringLiteral("⚠")), qPrintable(window->statusLabel()->text()));
        return;
    }
    QCOMPARE(window->mixer()->classA(), a);
    QCOMPARE(window->mixer()->classB(), b);
    QCOMPARE(window->countBox()->value(), MainWindow::kPairSteps);
    QCOMPARE(window->posteriorChart()->curves().b, b);
}

QTEST_MAIN(TestStudio)
#include "tst_studio.moc"
