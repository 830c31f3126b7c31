#pragma once
// Moves accepted reminders from the queue to the store in every instance
// (delivery/batch_writer.hpp has the semantics). The store ignores what it already has (a user
// is added to a record once, last_at only moves forward), so writing twice changes nothing.

#include "delivery/batch_writer.hpp"
#include "remind/reminder_queue.hpp"
#include "remind/reminder_records.hpp"

namespace seckill::remind {

class ReminderWriter : public delivery::BatchWriter<ReminderEvent> {
 public:
  /// The queue and the records must outlive the writer.
  ReminderWriter(ReminderQueue& queue, ReminderRecords& records,
                 delivery::BatchWriterOptions options = {});
};

}  // namespace seckill::remind
