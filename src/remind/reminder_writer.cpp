#include "remind/reminder_writer.hpp"

namespace seckill::remind {

namespace {

// The writer counts what it wrote; the records store answers nothing.
boost::asio::awaitable<std::size_t> write_events(ReminderRecords& records,
                                                 std::vector<ReminderEvent> events) {
  auto count = events.size();
  co_await records.write(std::move(events));
  co_return count;
}

}  // namespace

ReminderWriter::ReminderWriter(ReminderQueue& queue, ReminderRecords& records,
                               delivery::BatchWriterOptions options)
    : BatchWriter(
          queue,
          [&records](std::vector<ReminderEvent> events) {
            return write_events(records, std::move(events));
          },
          "reminder", options) {}

}  // namespace seckill::remind
