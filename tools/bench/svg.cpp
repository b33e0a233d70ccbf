#include "bench/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tqb::svg {
namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
const char* colour(size_t i) { return kPalette[i % std::size(kPalette)]; }

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '&') out += "&amp;";
        else if (c == '"') out += "&quot;";
        else out += c;
    }
    return out;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string label(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", std::abs(v) < 1e-12 ? 0.0 : v);
    return buf;
}

std::string text(double x, double y, const std::string& s, const char* anchor = "middle", int size = 12,
                 const std::string& extra = "") {
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\" font-size=\"" +
           std::to_string(size) + "\"" + extra + ">" + escape(s) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& style) {
    return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\" " + style + "/>\n";
}

// Maps data values onto pixels along one axis.
struct Scale {
    double lo, hi, p0, p1;
    bool log;
    double operator()(double v) const {
        const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
        return p0 + t * (p1 - p0);
    }
};

struct Range {
    double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
    void add(double v) {
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
    bool empty() const { return lo > hi; }
};

// Widens a data range a little (and away from zero width) so that points do not sit on the frame.
Range padded(Range r, bool log) {
    if (r.empty()) return {log ? 1.0 : 0.0, log ? 10.0 : 1.0};
    if (log) return {r.lo / 1.25, r.hi * 1.25};
    const double pad = r.hi > r.lo ? 0.06 * (r.hi - r.lo) : std::max(1.0, std::abs(r.hi) * 0.1);
    return {r.lo - pad, r.hi + pad};
}

std::string header(int width, int height, const std::string& title) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
           "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
           "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
           "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" +
           text(width / 2.0, 24, title, "middle", 15, " font-weight=\"bold\"");
}

std::string legend(double x, double y, const std::vector<std::pair<std::string, bool>>& entries) {
    std::string s;
    for (size_t i = 0; i < entries.size(); ++i) {
        const double row = y + 20.0 * static_cast<double>(i);
        const std::string dash = entries[i].second ? " stroke-dasharray=\"6 4\"" : "";
        s += line(x, row, x + 26, row, "stroke=\"" + std::string(colour(i)) + "\" stroke-width=\"2.5\"" + dash);
        s += text(x + 32, row + 4, entries[i].first, "start", 12);
    }
    return s;
}

void sort_by_x(std::vector<Point>& p) { std::sort(p.begin(), p.end(), [](Point a, Point b) { return a.x < b.x; }); }

}  // namespace

std::vector<double> linear_ticks(double lo, double hi, int target_count) {
    const double raw = (hi - lo) / std::max(1, target_count);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw) {
            step = m * mag;
            break;
        }
    std::vector<double> ticks;
    for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(t);
    return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
    // Less than about a decade: 1-2-5 steps leave too few ticks, so take nice linear steps.
    if (hi / lo < 8) return linear_ticks(lo, hi, 10);
    std::vector<double> ticks;
    for (double decade = std::pow(10.0, std::floor(std::log10(lo))); decade <= hi; decade *= 10)
        for (double m : {1.0, 2.0, 5.0})
            if (m * decade >= lo && m * decade <= hi) ticks.push_back(m * decade);
    return ticks;
}

std::string render(const LineChart& chart) {
    constexpr int kWidth = 760, kHeight = 460;
    constexpr double kLeft = 72, kRight = 190, kTop = 44, kBottom = 58;
    Range xr, yr;
    for (const auto& s : chart.series)
        for (const auto& p : s.points)
            if (!chart.log_x || p.x > 0) xr.add(p.x), yr.add(p.y);
    xr = padded(xr, chart.log_x);
    yr = padded(yr, false);
    const Scale sx{xr.lo, xr.hi, kLeft, kWidth - kRight, chart.log_x};
    const Scale sy{yr.lo, yr.hi, kHeight - kBottom, kTop, false};

    std::string s = header(kWidth, kHeight, chart.title);
    const std::string grid = "stroke=\"#e3e3e3\" stroke-width=\"1\"";
    for (double t : chart.log_x ? log_ticks(xr.lo, xr.hi) : linear_ticks(xr.lo, xr.hi)) {
        s += line(sx(t), kTop, sx(t), kHeight - kBottom, grid);
        s += text(sx(t), kHeight - kBottom + 18, label(t));
    }
    for (double t : linear_ticks(yr.lo, yr.hi)) {
        s += line(kLeft, sy(t), kWidth - kRight, sy(t), grid);
        s += text(kLeft - 8, sy(t) + 4, label(t), "end");
    }
    s += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" + num(kWidth - kRight - kLeft) + "\" height=\"" +
         num(kHeight - kBottom - kTop) + "\" fill=\"none\" stroke=\"#333\"/>\n";
    s += text((kLeft + kWidth - kRight) / 2, kHeight - 14, chart.x_label);
    s += text(18, (kTop + kHeight - kBottom) / 2, chart.y_label, "middle", 12,
              " transform=\"rotate(-90 18 " + num((kTop + kHeight - kBottom) / 2) + ")\"");

    std::vector<std::pair<std::string, bool>> entries;
    for (size_t i = 0; i < chart.series.size(); ++i) {
        std::vector<Point> pts = chart.series[i].points;
        sort_by_x(pts);
        std::string path;
        for (const Point& p : pts) path += (path.empty() ? "M" : " L") + num(sx(p.x)) + " " + num(sy(p.y));
        const std::string dash = chart.series[i].dashed ? " stroke-dasharray=\"6 4\"" : "";
        s += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + colour(i) + "\" stroke-width=\"2.5\"" + dash + "/>\n";
        for (const Point& p : pts)
            s += "<circle cx=\"" + num(sx(p.x)) + "\" cy=\"" + num(sy(p.y)) + "\" r=\"4\" fill=\"" + colour(i) + "\"/>\n";
        entries.emplace_back(chart.series[i].name, chart.series[i].dashed);
    }
    s += legend(kWidth - kRight + 18, kTop + 10, entries);
    return s + "</svg>\n";
}

std::string render(const BarChart& chart) {
    constexpr double kLeft = 150, kRight = 150, kTop = 44, kBottom = 58, kWidth = 760;
    const double group = 12.0 * static_cast<double>(std::max<size_t>(1, chart.bars.size())) + 10;
    const double height = kTop + kBottom + group * static_cast<double>(chart.categories.size());
    Range vr;
    for (const auto& b : chart.bars)
        for (double v : b.values)
            if (!chart.log_values || v > 0) vr.add(v);
    if (!chart.log_values) vr.add(0);
    vr = chart.log_values ? padded(vr, true) : Range{0, padded(vr, false).hi};
    const Scale sv{vr.lo, vr.hi, kLeft, kWidth - kRight, chart.log_values};

    std::string s = header(static_cast<int>(kWidth), static_cast<int>(height), chart.title);
    for (double t : chart.log_values ? log_ticks(vr.lo, vr.hi) : linear_ticks(vr.lo, vr.hi)) {
        s += line(sv(t), kTop, sv(t), height - kBottom, "stroke=\"#e3e3e3\"");
        s += text(sv(t), height - kBottom + 18, label(t));
    }
    for (size_t c = 0; c < chart.categories.size(); ++c) {
        const double top = kTop + group * static_cast<double>(c) + 5;
        s += text(kLeft - 8, top + group / 2, chart.categories[c], "end", 12);
        for (size_t b = 0; b < chart.bars.size(); ++b) {
            const double v = c < chart.bars[b].values.size() ? chart.bars[b].values[c] : std::nan("");
            if (!std::isfinite(v) || (chart.log_values && v <= 0)) continue;
            const double y = top + 12.0 * static_cast<double>(b);
            s += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(1.0, sv(v) - kLeft)) +
                 "\" height=\"10\" fill=\"" + colour(b) + "\"/>\n";
            s += text(sv(v) + 4, y + 9, label(std::round(v * 10) / 10), "start", 10);
        }
    }
    s += line(kLeft, kTop, kLeft, height - kBottom, "stroke=\"#333\"");
    s += line(kLeft, height - kBottom, kWidth - kRight, height - kBottom, "stroke=\"#333\"");
    s += text((kLeft + kWidth - kRight) / 2, height - 14, chart.value_label);
    std::vector<std::pair<std::string, bool>> entries;
    for (const auto& b : chart.bars) entries.emplace_back(b.name, false);
    s += legend(kWidth - kRight + 30, kTop + 10, entries);
    return s + "</svg>\n";
}

}  // namespace tqb::svg
