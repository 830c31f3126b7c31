#pragma once
// The distributed mode's background writers (queue -> PostgreSQL) in the Prometheus text format.

#include <string>
#include <string_view>

#include "delivery/batch_writer.hpp"
#include "metrics/text_format.hpp"

namespace seckill::app {

/// Appends, for two writers (label writer="order"/"reminder"):
///   seckill_writer_entries_total, seckill_writer_batches_total,
///   seckill_writer_dead_letters_total, seckill_writer_store_failures_total,
///   seckill_writer_refusals_total (counters),
///   seckill_writer_batch_entries (histogram), seckill_writer_lag_seconds (histogram: age of a
///   batch's oldest entry when it was stored).
inline void write_writer_metrics(std::string& out, std::string_view a_name,
                                 const delivery::BatchWriterStats& a, std::string_view b_name,
                                 const delivery::BatchWriterStats& b) {
  struct Writer {
    std::string label;
    const delivery::BatchWriterStats* stats;
  };
  const Writer writers[] = {{metrics::label("writer", a_name), &a},
                            {metrics::label("writer", b_name), &b}};
  auto counter = [&](std::string_view name, std::string_view help, auto field) {
    metrics::write_family(out, name, "counter", help);
    for (const auto& w : writers) {
      metrics::write_sample(out, name, w.label,
                            static_cast<std::uint64_t>((w.stats->*field).load()));
    }
  };
  counter("seckill_writer_entries_total", "Entries the writer stored.",
          &delivery::BatchWriterStats::written);
  counter("seckill_writer_batches_total", "Batches the writer stored.",
          &delivery::BatchWriterStats::batches);
  counter("seckill_writer_dead_letters_total",
          "Entries the store refused max_refusals times, set aside as dead letters.",
          &delivery::BatchWriterStats::dead_lettered);
  counter("seckill_writer_store_failures_total", "Batches the store refused or could not take.",
          &delivery::BatchWriterStats::store_failures);
  counter("seckill_writer_refusals_total",
          "Single entries the store refused on their own merits (e.g. an id stored for another "
          "order); max_refusals of them make a dead letter.",
          &delivery::BatchWriterStats::refusals);
  metrics::write_family(out, "seckill_writer_batch_entries", "histogram",
                        "Entries per stored batch.");
  for (const auto& w : writers)
    w.stats->batch_entries.write(out, "seckill_writer_batch_entries", w.label);
  metrics::write_family(out, "seckill_writer_lag_seconds", "histogram",
                        "Age of a stored batch's oldest entry: how far the store lags.");
  for (const auto& w : writers) {
    metrics::write_histogram(out, "seckill_writer_lag_seconds", w.label, w.stats->lag.snapshot(0));
  }
}

}  // namespace seckill::app
