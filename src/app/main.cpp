#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"seckill: flash sales and ticket reminders"};
  app.require_subcommand(1);
  app.add_subcommand("serve", "run the HTTP service");
  CLI11_PARSE(app, argc, argv);
  return 0;
}
