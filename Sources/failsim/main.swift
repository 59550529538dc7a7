print("failsim")
