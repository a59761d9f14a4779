from avtal_contracts.main import main

main()
