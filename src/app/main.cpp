#include <cstdio>
#include <variant>

#include <fmt/format.h>

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
  auto& command = std::get<Command>(parsed);
  return std::visit(Overloaded{
                        [](const PendingVerb& v) {
                          fmt::print(stderr, "seckill {}: not available in this build yet\n",
                                     v.name);
                          return 1;
                        },
                        [](const auto&) { return 1; },
                    },
                    command);
}
