from avtal_gateway.main import main

main()
