// The class mixer widget: the 10-way panel normalises its sliders (shown percentages add up to
// 100), the A/B slider mixes two classes, class names come from the dataset, and every move is a
// weightsChanged() at once.
#include "class_mixer.h"

#include <QComboBox>
#include <QLabel>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using pixelmix::ui::ClassMixer;

class TestClassMixer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void panelNormalises_data();
    void panelNormalises();
    void pairSliderMixesTwoClasses_data();
    void pairSliderMixesTwoClasses();
    void everyMoveIsASignal();
    void classNamesComeFromTheDataset();
    void describe_data();
    void describe();
    void settingsRoundTrip();
};

void TestClassMixer::panelNormalises_data()
{
    QTest::addColumn<QVector<int>>("sliders");
    QTest::addColumn<QVector<double>>("percent");
    QTest::newRow("one class") << QVector<int>{0, 0, 0, 100, 0, 0, 0, 0, 0, 0}
                               << QVector<double>{0, 0, 0, 100, 0, 0, 0, 0, 0, 0};
    QTest::newRow("two equal") << QVector<int>{0, 0, 0, 0, 40, 0, 0, 0, 0, 40}
                               << QVector<double>{0, 0, 0, 0, 50, 0, 0, 0, 0, 50};
    QTest::newRow("three to one") << QVector<int>{30, 10, 0, 0, 0, 0, 0, 0, 0, 0}
                                  << QVector<double>{75, 25, 0, 0, 0, 0, 0, 0, 0, 0};
    QTest::newRow("all equal") << QVector<int>(10, 50) << QVector<double>(10, 10.0);
    QTest::newRow("all zero is uniform") << QVector<int>(10, 0) << QVector<double>(10, 10.0);
    QTest::newRow("thirds round to 100") << QVector<int>{1, 1, 1, 0, 0, 0, 0, 0, 0, 0}
                                         << QVector<double>{33.4, 33.3, 33.3, 0, 0, 0, 0, 0, 0, 0};
    QTest::newRow("sevenths") << QVector<int>{100, 100, 100, 100, 100, 100, 100, 0, 0, 0}
                              << QVector<double>{14.3, 14.3, 14.3, 14.3, 14.3, 14.3, 14.2, 0, 0, 0};
    QTest::newRow("uneven") << QVector<int>{100, 50, 25, 12, 6, 3, 1, 1, 1, 1}
                            << QVector<double>{50.0, 25.0, 12.5, 6.0, 3.0, 1.5, 0.5, 0.5, 0.5, 0.5};
}

void TestClassMixer::panelNormalises()
{
    QFETCH(QVector<int>, sliders);
    QFETCH(QVector<double>, percent);
    ClassMixer mixer;
    mixer.setSource(ClassMixer::Source::AllClasses);
    // Move the real sliders.
    for (int k = 0; k < 10; ++k)
        mixer.classSlider(k)->setValue(sliders[k]);
    const auto weights = mixer.weights();
    QCOMPARE(weights.size(), 10);
    double sum = 0.0, shownSum = 0.0;
    for (int k = 0; k < 10; ++k) {
        sum += weights[k];
        QVERIFY2(std::abs(weights[k] * 100.0 - percent[k]) < 0.1,  // shown to 0.1, by largest remainder
                 qPrintable(QStringLiteral("class %1: %2").arg(k).arg(weights[k])));
        const QString shown = mixer.percentLabel(k)->text();
        QVERIFY(shown.endsWith(QLatin1Char('%')));
        const double value = shown.chopped(1).toDouble();
        QCOMPARE(value, percent[k]);
        shownSum += value;
    }
    QVERIFY(std::abs(sum - 1.0) < 1e-12);
    QVERIFY2(std::abs(shownSum - 100.0) < 1e-9, qPrintable(QString::number(shownSum)));
    QCOMPARE(ClassMixer::percentages(sliders), percent);
}

void TestClassMixer::pairSliderMixesTwoClasses_data()
{
    QTest::addColumn<int>("a");
    QTest::addColumn<int>("b");
    QTest::addColumn<int>("slider");
    QTest::newRow("all A") << 4 << 9 << 0;
    QTest::newRow("30% B") << 4 << 9 << 30;
    QTest::newRow("half") << 1 << 7 << 50;
    QTest::newRow("all B") << 0 << 3 << 100;
    QTest::newRow("same class") << 5 << 5 << 40;
}

void TestClassMixer::pairSliderMixesTwoClasses()
{
    QFETCH(int, a);
    QFETCH(int, b);
    QFETCH(int, slider);
    ClassMixer mixer;
    mixer.pickerA()->setCurrentIndex(a);
    mixer.pickerB()->setCurrentIndex(b);
    mixer.pairSlider()->setValue(slider);
    QCOMPARE(mixer.source(), ClassMixer::Source::Pair);
    const auto w = mixer.weights();
    QVector<double> expected(10, 0.0);
    expected[a] += 1.0 - slider / 100.0;
    expected[b] += slider / 100.0;
    for (int k = 0; k < 10; ++k)
        QVERIFY(std::abs(w[k] - expected[k]) < 1e-12);
}

void TestClassMixer::everyMoveIsASignal()
{
    ClassMixer mixer;
    QSignalSpy changed(&mixer, &ClassMixer::weightsChanged);
    QSignalSpy pair(&mixer, &ClassMixer::pairChanged);
    mixer.pairSlider()->setValue(mixer.pairSlider()->value() + 5);
    QCOMPARE(changed.count(), 1);
    QTest::keyClick(mixer.pairSlider(), Qt::Key_Right);
    QCOMPARE(changed.count(), 2);
    mixer.pickerB()->setCurrentIndex(2);
    QCOMPARE(pair.count(), 1);
    QCOMPARE(changed.count(), 3);
    mixer.tabs()->setCurrentIndex(1);
    QCOMPARE(changed.count(), 4);
    mixer.classSlider(6)->setValue(90);
    QCOMPARE(changed.count(), 5);
}

void TestClassMixer::classNamesComeFromTheDataset()
{
    ClassMixer mixer;
    const QStringList fashion = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    mixer.setClassA(7);
    mixer.setClassB(9);
    mixer.setClassNames(fashion);
    QCOMPARE(mixer.pickerA()->count(), 10);
    QVERIFY(mixer.pickerA()->currentText().contains(QStringLiteral("Sneaker")));
    QVERIFY(mixer.pickerB()->currentText().contains(QStringLiteral("Ankle boot")));
    QCOMPARE(mixer.classA(), 7);
    mixer.setClassNames({"a", "b", "c"});
    QCOMPARE(mixer.pickerA()->count(), 3);
    QCOMPARE(mixer.weights().size(), 3);
    QVERIFY(mixer.classA() < 3 && mixer.classB() < 3);
    QCOMPARE(mixer.findChildren<QSlider*>(QRegularExpression(QStringLiteral("^classSlider"))).size(), 3);
}

void TestClassMixer::describe_data()
{
    QTest::addColumn<QVector<double>>("weights");
    QTest::addColumn<QString>("text");
    QTest::newRow("pair") << QVector<double>{0, 0, 0, 0, 0.7, 0, 0, 0, 0, 0.3} << "70% 4 · 30% 9";
    QTest::newRow("one") << QVector<double>{0, 1, 0, 0, 0, 0, 0, 0, 0, 0} << "100% 1";
    QTest::newRow("thirds") << QVector<double>{1 / 3.0, 1 / 3.0, 1 / 3.0, 0, 0, 0, 0, 0, 0, 0}
                            << "33.3% 0 · 33.3% 1 · 33.3% 2";
}

void TestClassMixer::describe()
{
    QFETCH(QVector<double>, weights);
    QFETCH(QString, text);
    QStringList names;
    for (int k = 0; k < 10; ++k)
        names << QString::number(k);
    QCOMPARE(ClassMixer::describe(weights, names), text);
}

void TestClassMixer::settingsRoundTrip()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
    {
        ClassMixer mixer;
        mixer.setClassA(2);
        mixer.setClassB(6);
        mixer.setMixPercent(65);
        mixer.setSource(ClassMixer::Source::AllClasses);
        mixer.setPanelValues({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        mixer.saveSettings(settings);
    }
    ClassMixer mixer;
    mixer.restoreSettings(settings);
    QCOMPARE(mixer.classA(), 2);
    QCOMPARE(mixer.classB(), 6);
    QCOMPARE(mixer.mixPercent(), 65);
    QCOMPARE(mixer.source(), ClassMixer::Source::AllClasses);
    QCOMPARE(mixer.panelValues(), (QVector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

QTEST_MAIN(TestClassMixer)
#include "tst_class_mixer.moc"
