package dev.registryetcd.benchmarks.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws latency distributions as cumulative curves (x: latency on a log scale, y: share of samples
 * at or below it) into a PNG, headless.
 */
public final class LatencyChart {
  /** Pairs: a dark colour for ours, a light one of the same hue for its baseline. */
  private static final Color[] COLORS = {
    new Color(0x08519c),
    new Color(0x6baed6),
    new Color(0xa50f15),
    new Color(0xfb6a4a),
    new Color(0x006d2c),
    new Color(0x74c476)
  };

  private LatencyChart() {}

  /**
   * One line per series; series at odd positions (the baselines) are drawn dashed and lighter, in
   * the hue of the series before them (ours).
   */
  public static void cumulative(Path png, String title, String subtitle, List<Series> series) {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection dataset = new XYSeriesCollection();
    for (Series one : series) {
      XYSeries line = new XYSeries(one.name(), true, true);
      long[] sorted = one.latencies().sortedNanos();
      for (int i = 0; i < sorted.length; i++) {
        line.add(Math.max(sorted[i], 1_000) / 1e6, 100.0 * (i + 1) / sorted.length);
      }
      dataset.addSeries(line);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title,
            "latency (ms)",
            "samples at or below (%)",
            dataset,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    LogarithmicAxis latency = new LogarithmicAxis("latency (ms, log scale)");
    latency.setStrictValuesFlag(false);
    latency.setExpTickLabelsFlag(false);
    latency.setNumberFormatOverride(new DecimalFormat("0.##"));
    plot.setDomainAxis(latency);
    NumberAxis share = (NumberAxis) plot.getRangeAxis();
    share.setRange(0, 100.5);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    renderer.setDrawSeriesLineAsPath(true); // one path per series, so dashes survive dense points
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
      renderer.setSeriesStroke(
          i,
          i % 2 == 0
              ? new BasicStroke(2.2f)
              : new BasicStroke(
                  2.2f,
                  BasicStroke.CAP_BUTT,
                  BasicStroke.JOIN_MITER,
                  10f,
                  new float[] {7f, 5f},
                  0f));
    }
    plot.setRenderer(renderer);
    try {
      Files.createDirectories(png.toAbsolutePath().getParent());
      ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 560);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png, e);
    }
  }

  /** One named distribution. */
  public record Series(String name, Latencies latencies) {}
}
