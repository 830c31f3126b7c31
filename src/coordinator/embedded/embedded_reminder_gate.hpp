#pragma once
// The reminders' coordinator in process memory, for the embedded mode (one process, no Redis):
// the rules of coordinator/redis/remind.lua — one reminder per user per ticket per user window,
// one main record per ticket per record window counted from its first_at — decided under the
// ticket's stripe mutex, on this process's clock. There is no reminder queue: remind() writes
// the event to the store itself and answers only once it is committed, so every 201 of this mode
// is already a durable reminder (and reads never lag).

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "core/reminder.hpp"
#include "remind/reminder_gate.hpp"
#include "remind/reminder_records.hpp"

namespace seckill::coordinator::embedded {

/// Thread-safe: any number of I/O threads may call it at once. The records must outlive it.
///
/// As the stock gate: the decision (the user's window, the ticket's open record) is taken in
/// memory *before* the write starts, so racing reminders see it; if the write fails the
/// decision is undone (the user's window given back; a record this reminder opened is forgotten
/// unless another reminder joined it meanwhile) and the caller gets the store's InfraError (503,
/// nothing reminded).
class EmbeddedReminderGate final : public remind::ReminderGate {
 public:
  using Clock = std::function<SysTime()>;

  EmbeddedReminderGate(
      remind::ReminderRecords& records, remind::ReminderWindows windows,
      Clock clock = [] { return std::chrono::system_clock::now(); });

  /// Replaces what the gate holds with what `records` (oldest first, with their users) imply at
  /// the clock's now: each ticket's newest record while it collects reminders (its window lasts
  /// and it is not resolved: core/reminder.hpp), each user's window from
  /// their time on a record. Call at start, before serving. The store keeps a user's *first*
  /// reminder on a record, so a user who reminded the same record again (a user window shorter
  /// than the record window) gets their window back from the first one after a restart.
  /// Records older than `windows.record + windows.user` cannot matter
  /// (SqliteReminderRecords::records_since_now(now - that)).
  void restore(std::span<const ReminderRecord> records);

  /// Decides in memory, then awaits ReminderRecords::write({event}) before answering opened or
  /// joined. Throws the store's InfraError when that write fails; then nothing was reminded.
  boost::asio::awaitable<remind::RemindDecision> remind(std::string ticket, std::uint64_t user_id,
                                                        std::uint64_t new_id) override;
  /// Forgets the ticket's open record if it is `record_id`. Never throws InfraError.
  boost::asio::awaitable<void> close(std::string ticket, std::uint64_t record_id) override;

 private:
  struct OpenRecord {
    std::uint64_t id = 0;
    SysTime first_at;
    std::uint64_t reminders = 0;  ///< accepted into it since this process holds it
  };
  struct UserWindow {
    SysTime until;                ///< the end of the user's window
    std::uint64_t record_id = 0;  ///< the record their reminder is in
  };
  struct TicketState {
    std::optional<OpenRecord> open;
    std::unordered_map<std::uint64_t, UserWindow> user_until;  ///< user -> their window
  };
  struct Stripe {
    std::mutex mutex;
    std::unordered_map<std::string, TicketState> tickets;
    std::uint64_t decisions = 0;  ///< expired state is swept every so many
  };
  static constexpr std::size_t kStripes = 64;

  Stripe& stripe(const std::string& ticket);
  void sweep(Stripe& stripe, SysTime now) const;
  /// The write of an accepted reminder failed: takes the decision back, as far as no later
  /// decision relies on it.
  void undo(const std::string& ticket, std::uint64_t user_id, SysTime until,
            std::uint64_t record_id, bool opened, std::optional<OpenRecord> previous_open);

  remind::ReminderRecords& records_;
  remind::ReminderWindows windows_;
  Clock clock_;
  std::array<Stripe, kStripes> stripes_;
};

}  // namespace seckill::coordinator::embedded
