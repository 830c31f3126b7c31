#include "remind/reminder_service.hpp"

#include <fmt/format.h>

#include "core/infra_error.hpp"
#include "core/ticket.hpp"

namespace seckill::remind {

namespace {

// `reminder_id` 0: the coordinator could not tell which record (the field is then left out).
Failure already_reminded(std::chrono::milliseconds left, std::uint64_t reminder_id) {
  auto retry = retry_after_seconds(left);
  Failure f{ErrorCode::already_reminded,
            fmt::format("you reminded this ticket recently; you may again in {} s", retry), retry};
  if (reminder_id != 0) f.reminder_id = reminder_id;
  return f;
}

}  // namespace

ReminderService::ReminderService(ReminderGate& gate, ReminderRecords& records, IdSource& ids,
                                 Clock clock, std::chrono::milliseconds sla)
    : gate_(gate), records_(records), ids_(ids), clock_(std::move(clock)), sla_(sla) {}

boost::asio::awaitable<std::expected<Reminded, Failure>> ReminderService::remind(
    std::uint64_t user_id, std::string ticket) {
  if (auto bad = validate_ticket(ticket)) co_return std::unexpected(std::move(*bad));
  const auto asked_at = clock_();
  if (auto known = recent_.known(ticket, user_id, asked_at)) {
    co_return std::unexpected(already_reminded(known->left, known->reminder_id));
  }
  // Offered to the coordinator in case this reminder opens a record; wasted otherwise (ids are
  // handed out in blocks from memory, so this costs no round trip in the common case).
  auto new_id = co_await ids_.next_id();
  RemindDecision decision;
  try {
    decision = co_await gate_.remind(ticket, user_id, new_id);
  } catch (const TimeoutError& e) {
    // The reminder may have been recorded: never answer that nothing was done.
    throw OutcomeUnknownError(e.what());
  } catch (const ReplyLostError& e) {
    throw OutcomeUnknownError(e.what());
  }
  switch (decision.outcome) {
    case RemindOutcome::opened:
      co_return Reminded{decision.reminder_id, true};
    case RemindOutcome::joined:
      co_return Reminded{decision.reminder_id, false};
    case RemindOutcome::already_reminded:
      break;
  }
  recent_.remember(ticket, user_id, asked_at, decision.retry_after, decision.reminder_id);
  co_return std::unexpected(already_reminded(decision.retry_after, decision.reminder_id));
}

boost::asio::awaitable<std::expected<std::vector<ReminderRecord>, Failure>>
ReminderService::ticket_reminders(std::string ticket, std::optional<std::uint64_t> only_user) {
  if (auto bad = validate_ticket(ticket)) co_return std::unexpected(std::move(*bad));
  co_return co_await records_.list_ticket(std::move(ticket), only_user);
}

boost::asio::awaitable<std::expected<ReminderPage, Failure>> ReminderService::queue(
    ReminderStatus status, int limit, std::optional<ReminderCursor> after) {
  if (limit < 1 || limit > kMaxQueueLimit) {
    co_return std::unexpected(Failure{
        ErrorCode::bad_request, fmt::format("limit must be from 1 to {}", kMaxQueueLimit), {}});
  }
  ReminderPage page;
  page.records = co_await records_.queue(status, limit, after);
  if (static_cast<int>(page.records.size()) == limit) {
    const auto& last = page.records.back();
    page.next = ReminderCursor{last.first_at, last.id};
  }
  co_return page;
}

boost::asio::awaitable<std::expected<ReminderRecord, Failure>> ReminderService::ack(
    std::uint64_t id, std::uint64_t staff_id) {
  co_return co_await records_.ack(id, staff_id, clock_());
}

boost::asio::awaitable<std::expected<ReminderRecord, Failure>> ReminderService::resolve(
    std::uint64_t id) {
  auto resolved = co_await records_.resolve(id, clock_());
  // The store holds the status; the gate must learn it too, or the ticket's next reminder would
  // join the resolved record (core/reminder.hpp, collects_reminders). If this throws, the record
  // is resolved but the gate still holds it: the client gets 503 and the record keeps collecting
  // until its window ends (a retry answers invalid_state and does not close it).
  if (resolved) co_await gate_.close(resolved->ticket, resolved->id);
  co_return resolved;
}

bool ReminderService::overdue(const ReminderRecord& record) const {
  return is_overdue(record.status, record.first_at, clock_(), sla_);
}

}  // namespace seckill::remind
