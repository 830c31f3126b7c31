// Ids from several processes sharing one Redis counter never collide, and each process's ids
// strictly increase. The test binary is its own child: run with `--child COUNT FILE` it takes
// COUNT ids through a Redis-backed IdGenerator and writes them to FILE.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_set>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "core/infra_error.hpp"
#include "id/counter_sequence_source.hpp"
#include "id/id_generator.hpp"
#include "id/id_layout.hpp"
#include "redis/client.hpp"
#include "support/child_process.hpp"
#include "support/test_env.hpp"

namespace asio = boost::asio;
using namespace seckill;

namespace {

asio::awaitable<long long> incr_by(redis::Client& client, std::string key, long long by) {
  auto amount = std::to_string(by);
  auto reply = co_await client.command({"INCRBY", key, amount});
  co_return reply.as_integer();
}

asio::awaitable<void> take_ids(redis::Client& client, id::IdGenerator& ids, std::size_t count,
                               std::vector<std::uint64_t>& out) {
  co_await client.connect();
  out.reserve(count);
  asio::steady_timer pause(co_await asio::this_coro::executor);
  int failures = 0;
  while (out.size() < count) {
    if (auto next = ids.try_next()) {
      out.push_back(*next);
      continue;
    }
    bool failed = false;
    try {
      out.push_back(co_await ids.next());
    } catch (const InfraError&) {
      // The first block's fetch may have raced the connection; it is retried in the background.
      failed = true;
    }
    if (failed) {
      if (++failures > 100) throw InfraError("no block of ids from Redis");
      pause.expires_after(std::chrono::milliseconds(20));
      co_await pause.async_wait(asio::use_awaitable);
    }
  }
  client.close();
}

int run_child(std::size_t count, const std::string& file) {
  asio::io_context io(1);
  redis::ClientOptions options;
  options.connection.endpoint = redis::parse_redis_url(seckill::testing::redis_url()).value();
  redis::Client client(io, options);
  std::vector<std::uint64_t> out;
  {
    id::IdGenerator ids(io.get_executor(), std::make_shared<id::CounterSequenceSource>(
                                               "systest", [&client](std::string key, long long by) {
                                                 return incr_by(client, std::move(key), by);
                                               }));
    // The generator keeps fetching blocks ahead in the background: stop when done.
    asio::co_spawn(io, take_ids(client, ids, count, out), [&io](std::exception_ptr error) {
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "child: %s\n", e.what());
        }
      }
      io.stop();
    });
    io.run();
  }
  std::ofstream f(file, std::ios::binary);
  f.write(reinterpret_cast<const char*>(out.data()),
          static_cast<std::streamsize>(out.size() * sizeof(std::uint64_t)));
  return out.size() == count ? 0 : 1;
}

std::vector<std::uint64_t> read_ids(const std::string& file) {
  std::ifstream f(file, std::ios::binary | std::ios::ate);
  auto bytes = static_cast<std::size_t>(f.tellg());
  std::vector<std::uint64_t> ids(bytes / sizeof(std::uint64_t));
  f.seekg(0);
  f.read(reinterpret_cast<char*>(ids.data()), static_cast<std::streamsize>(bytes));
  return ids;
}

}  // namespace

TEST(RedisIds, FourProcessesTakeAMillionEachWithoutADuplicate) {
  constexpr std::size_t kPerProcess = 1'000'000;
  std::vector<std::string> files;
  std::vector<seckill::testing::ChildProcess> children;
  for (int i = 0; i < 4; ++i) {
    files.push_back("/tmp/seckill-ids-" + std::to_string(::getpid()) + "-" + std::to_string(i));
    children.emplace_back(std::vector<std::string>{"/proc/self/exe", "--child",
                                                   std::to_string(kPerProcess), files.back()});
  }
  for (auto& c : children) {
    int status = c.wait(std::chrono::seconds(120));
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child failed: " << status;
  }
  std::unordered_set<std::uint64_t> seen;
  seen.reserve(4 * kPerProcess);
  for (const auto& file : files) {
    auto ids = read_ids(file);
    std::remove(file.c_str());
    ASSERT_EQ(ids.size(), kPerProcess);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) {
        ASSERT_GT(ids[i], ids[i - 1]) << "ids of one process strictly increase";
      }
      ASSERT_TRUE(id::is_id(ids[i]));
      ASSERT_TRUE(seen.insert(ids[i]).second) << "duplicate id " << ids[i];
    }
  }
  EXPECT_EQ(seen.size(), 4 * kPerProcess);
}

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--child") == 0) {
    return run_child(std::stoul(argv[2]), argv[3]);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
