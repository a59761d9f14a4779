from avtal_billing.main import main

main()
