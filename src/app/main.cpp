#include <cstdio>
#include <variant>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/config.hpp"

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace seckill::app;
  auto parsed = parse_command_line(argc, argv);
  if (auto* exit = std::get_if<CliExit>(&parsed)) {
    std::fputs((exit->text + "\n").c_str(), exit->code == 0 ? stdout : stderr);
    return exit->code;
  }
  try {
    return std::visit(Overloaded{
                          [](const ServeConfig& c) { return run_serve(c); },
                          [](const MigrateConfig& c) { return run_migrate(c); },
                          [](const TokenConfig& c) { return run_token(c); },
                          [](const CheckConfig& c) { return run_check(c); },
                          [](const BenchConfig& c) { return run_bench(c); },
                          [](const DemoConfig& c) { return run_demo(c); },
                          [](const DeadLettersConfig& c) { return run_dead_letters(c); },
                          [](const PendingVerb& v) {
                            fmt::print(stderr, "seckill {}: not available in this build yet\n",
                                       v.name);
                            return 1;
                          },
                      },
                      std::get<Command>(parsed));
  } catch (const std::exception& e) {
    fmt::print(stderr, "seckill: {}\n", e.what());
    return 1;
  }
}
