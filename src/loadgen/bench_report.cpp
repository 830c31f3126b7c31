#include "loadgen/bench_report.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace seckill::loadgen {
namespace {

double ms(LatencyHistogram::Nanos n) {
  return static_cast<double>(n.count()) / 1e6;
}

struct Percentile {
  const char* name;
  double percent;
};
constexpr Percentile kPercentiles[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}};

std::string describe_targets(const BenchOptions& o) {
  std::string out;
  for (const auto& t : o.targets) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}:{}", t.host, t.port);
  }
  return out;
}

std::string mode_of(const BenchOptions& o) {
  return o.rate > 0 ? fmt::format("open loop at {:.0f} req/s", o.rate) : "closed loop";
}

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// A round step for about `ticks` ticks over [0, max].
double nice_step(double max, int ticks) {
  if (max <= 0) return 1;
  const double raw = max / ticks;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (raw <= m * mag) return m * mag;
  }
  return 10 * mag;
}

/// A line chart as an inline SVG: points (x, y), x ticks given as (position, label).
std::string svg_line_chart(const std::string& title,
                           const std::vector<std::pair<double, double>>& pts,
                           const std::vector<std::pair<double, std::string>>& x_ticks,
                           const std::string& x_label, const std::string& y_label) {
  constexpr double kW = 720, kH = 300, kLeft = 70, kRight = 40, kTop = 30, kBottom = 45;
  double x_min = 0, x_max = 1, y_max = 1;
  if (!pts.empty()) {
    x_min = pts.front().first;
    x_max = pts.front().first;
  }
  for (const auto& [x, y] : pts) {
    x_min = std::min(x_min, x);
    x_max = std::max(x_max, x);
    y_max = std::max(y_max, y);
  }
  for (const auto& [x, label] : x_ticks) {
    x_min = std::min(x_min, x);
    x_max = std::max(x_max, x);
  }
  if (x_max <= x_min) x_max = x_min + 1;
  const double step = nice_step(y_max, 5);
  y_max = std::ceil(y_max / step) * step;
  const auto px = [&](double x) {
    return kLeft + (x - x_min) / (x_max - x_min) * (kW - kLeft - kRight);
  };
  const auto py = [&](double y) { return kTop + (1 - y / y_max) * (kH - kTop - kBottom); };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      kW, kH, kW, kH, kLeft, escape_html(title));
  for (double y = 0; y <= y_max + step / 2; y += step) {
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
        kLeft, py(y), kW - kRight, py(y), kLeft - 6, py(y) + 4, fmt::format("{:g}", y));
  }
  for (const auto& [x, label] : x_ticks) {
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
        px(x), kTop, px(x), kH - kBottom, px(x), kH - kBottom + 16, escape_html(label));
  }
  s += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n"
      "<text x=\"14\" y=\"{:.1f}\" transform=\"rotate(-90 14 {:.1f})\" "
      "text-anchor=\"middle\">{}</text>\n",
      (kLeft + kW - kRight) / 2, kH - 8, escape_html(x_label), (kTop + kH - kBottom) / 2,
      (kTop + kH - kBottom) / 2, escape_html(y_label));
  s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"";
  for (const auto& [x, y] : pts)
    s += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
  s += "\"/>\n</svg>\n";
  return s;
}

}  // namespace

std::uint64_t BenchReport::status_count(int status) const {
  auto it = statuses.find(status);
  return it == statuses.end() ? 0 : it->second;
}

std::string to_text(const BenchReport& r) {
  const auto& o = r.options;
  std::string out =
      fmt::format("scenario {} against {} ({} connections, {} threads, {})\n",
                  to_string(o.scenario), describe_targets(o), o.connections, o.threads, mode_of(o));
  if (!r.voucher.empty()) out += fmt::format("voucher {}", r.voucher);
  if (r.stock_left_after >= 0) out += fmt::format(" (stock_left after: {})", r.stock_left_after);
  if (!r.voucher.empty()) out += '\n';
  if (!r.ticket.empty() &&
      (o.scenario == Scenario::remind_new || o.scenario == Scenario::remind_repeat ||
       o.scenario == Scenario::mixed)) {
    out += fmt::format("ticket {}\n", r.ticket);
  }
  out += fmt::format("{} requests in {:.2f} s: {:.0f} req/s, {} transport errors\n", r.requests,
                     r.elapsed_s, r.requests_per_s(), r.transport_errors);
  out += "latency";
  for (const auto& p : kPercentiles)
    out += fmt::format(" {} {:.3f} ms", p.name, ms(r.latency.percentile(p.percent)));
  out +=
      fmt::format(" max {:.3f} ms (mean {:.3f} ms)\n", ms(r.latency.max()), ms(r.latency.mean()));
  out += "status";
  for (const auto& [status, n] : r.statuses)
    out += fmt::format(" {}: {}", status, n);
  out += '\n';
  if (!r.codes.empty()) {
    out += "codes";
    for (const auto& [code, n] : r.codes)
      out += fmt::format(" {}: {}", code, n);
    out += '\n';
  }
  return out;
}

std::string to_json(const BenchReport& r) {
  namespace json = boost::json;
  const auto& o = r.options;
  json::object doc;
  doc["scenario"] = to_string(o.scenario);
  json::array targets;
  for (const auto& t : o.targets)
    targets.emplace_back(fmt::format("{}:{}", t.host, t.port));
  doc["targets"] = std::move(targets);
  doc["connections"] = o.connections;
  doc["threads"] = o.threads;
  doc["mode"] = o.rate > 0 ? "open" : "closed";
  doc["rate"] = o.rate;
  doc["warmup_s"] = static_cast<double>(o.warmup.count()) / 1000.0;
  if (!r.voucher.empty()) doc["voucher"] = r.voucher;
  if (!r.ticket.empty()) doc["ticket"] = r.ticket;
  if (o.scenario == Scenario::sale || o.scenario == Scenario::mixed) doc["stock"] = o.stock;
  if (o.users != 0) doc["users"] = o.users;
  if (r.stock_left_after >= 0) doc["stock_left_after"] = r.stock_left_after;
  doc["elapsed_s"] = r.elapsed_s;
  doc["requests"] = r.requests;
  doc["requests_per_s"] = r.requests_per_s();
  doc["transport_errors"] = r.transport_errors;
  json::object latency;
  for (const auto& p : kPercentiles)
    latency[p.name] = ms(r.latency.percentile(p.percent));
  latency["max"] = ms(r.latency.max());
  latency["mean"] = ms(r.latency.mean());
  doc["latency_ms"] = std::move(latency);
  json::object statuses;
  for (const auto& [status, n] : r.statuses)
    statuses[std::to_string(status)] = n;
  doc["status"] = std::move(statuses);
  json::object codes;
  for (const auto& [code, n] : r.codes)
    codes[code] = n;
  doc["codes"] = std::move(codes);
  doc["interval_s"] = r.interval_s;
  json::array series;
  for (auto n : r.answered_per_interval)
    series.emplace_back(n);
  doc["answered_per_interval"] = std::move(series);
  return json::serialize(doc);
}

std::string to_html(const BenchReport& r) {
  std::vector<std::pair<double, double>> throughput;
  for (std::size_t i = 0; i < r.answered_per_interval.size(); ++i) {
    throughput.emplace_back((static_cast<double>(i) + 0.5) * r.interval_s,
                            static_cast<double>(r.answered_per_interval[i]) / r.interval_s);
  }
  const double total_s = static_cast<double>(r.answered_per_interval.size()) * r.interval_s;
  std::vector<std::pair<double, std::string>> time_ticks;
  const double tstep = nice_step(std::max(total_s, 0.1), 8);
  for (double t = 0; t <= total_s + tstep / 2; t += tstep)
    time_ticks.emplace_back(t, fmt::format("{:g}", t));

  // Percentiles on the "nines" axis: x = -log10(1 - p), so 90, 99, 99.9 are evenly spaced.
  std::vector<std::pair<double, double>> spectrum;
  const auto nines = [](double percent) { return -std::log10(1 - percent / 100.0); };
  const double top = r.latency.count() >= 100000  ? 99.999
                     : r.latency.count() >= 10000 ? 99.99
                                                  : 99.9;
  for (double x = 0; x <= nines(top) + 1e-9; x += 0.05) {
    const double percent = 100.0 * (1 - std::pow(10.0, -x));
    spectrum.emplace_back(x, ms(r.latency.percentile(percent)));
  }
  std::vector<std::pair<double, std::string>> pct_ticks;
  for (double p : {0.0, 50.0, 90.0, 99.0, 99.9, 99.99, 99.999}) {
    if (p <= top + 1e-9) pct_ticks.emplace_back(nines(p), fmt::format("{:g}%", p));
  }

  std::string title = fmt::format("seckill bench: {}", to_string(r.options.scenario));
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title>\n"
      "<style>body{{font-family:sans-serif;max-width:760px;margin:2em auto}}"
      "table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:3px 8px;"
      "text-align:right}}pre{{background:#f6f6f6;padding:8px;white-space:pre-wrap}}</style></"
      "head><body>\n"
      "<h1>{0}</h1>\n<pre>{1}</pre>\n",
      escape_html(title), escape_html(to_text(r)));
  out += "<table><tr><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr><tr>";
  for (const auto& p : kPercentiles)
    out += fmt::format("<td>{:.3f} ms</td>", ms(r.latency.percentile(p.percent)));
  out += fmt::format("<td>{:.3f} ms</td></tr></table>\n", ms(r.latency.max()));
  out += "<h2>Throughput over time</h2>\n";
  out += svg_line_chart(fmt::format("answers per second ({:g} s samples)", r.interval_s),
                        throughput, time_ticks, "seconds since start", "requests/s");
  out += "<h2>Latency percentiles</h2>\n";
  out += svg_line_chart("latency by percentile", spectrum, pct_ticks, "percentile", "ms");
  out += "</body></html>\n";
  return out;
}

}  // namespace seckill::loadgen
