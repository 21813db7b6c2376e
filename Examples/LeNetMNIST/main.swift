print("LeNetMNIST")
