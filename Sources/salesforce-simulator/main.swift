print("salesforce-simulator")
