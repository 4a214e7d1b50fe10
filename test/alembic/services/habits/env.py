from service_env import run

run()
