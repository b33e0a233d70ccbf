// Minimal SVG charts: line charts (rate-distortion curves, optional log-scale x axis) and
// horizontal grouped bar charts (speeds, optional log-scale value axis). Axes with ticks and
// labels, a legend, a fixed palette of distinct colours.
#pragma once

#include <string>
#include <vector>

namespace tqb::svg {

struct Point {
    double x, y;
};

struct Series {
    std::string name;
    std::vector<Point> points;  // drawn in x order
    bool dashed = false;
};

struct LineChart {
    std::string title, x_label, y_label;
    bool log_x = false;
    std::vector<Series> series;
};

struct Bars {
    std::string name;            // legend entry
    std::vector<double> values;  // one per category; NaN or <= 0 (log axis) = no bar
};

struct BarChart {
    std::string title, value_label;
    bool log_values = false;
    std::vector<std::string> categories;
    std::vector<Bars> bars;
};

std::string render(const LineChart& chart);
std::string render(const BarChart& chart);

// Tick positions: "nice" steps of 1, 2 or 5 x 10^k (linear), or 1-2-5 per decade (log).
std::vector<double> linear_ticks(double lo, double hi, int target_count = 6);
std::vector<double> log_ticks(double lo, double hi);

}  // namespace tqb::svg
